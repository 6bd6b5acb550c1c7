import type { MembershipIdentityEvent } from '@attest/contracts';
import { isMemberAfter } from './identity-fact';

const principalId = '6f1c1f8e-6a53-4b7e-9a57-1f1d8e7c2a01';

function membership(kind: MembershipIdentityEvent['kind']): MembershipIdentityEvent {
  return { kind, principalId, groupId: '0b6a4d0e-8f52-4c57-a3a1-1c2d3e4f5a6b', groupName: 'Engineering', source: 'okta' };
}

describe('identity facts', () => {
  it('tells an added membership from a removed one', () => {
    expect(isMemberAfter(membership('membership.added'))).toBe(true);
    expect(isMemberAfter(membership('membership.removed'))).toBe(false);
  });
});
