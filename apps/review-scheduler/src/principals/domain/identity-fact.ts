import type { MembershipIdentityEvent } from '@attest/contracts';

export function isMemberAfter(event: MembershipIdentityEvent): boolean {
  return event.kind === 'membership.added';
}
