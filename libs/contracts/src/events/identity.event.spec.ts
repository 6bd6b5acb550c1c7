import type { IdentityStatus, PrincipalIdentityEvent } from './identity.event';
import { identityStatusOf, isPrincipalEvent } from './identity.event';

function facts(kind: PrincipalIdentityEvent['kind'], status: IdentityStatus): PrincipalIdentityEvent {
  return {
    kind,
    principalId: '6f1c1f8e-6a53-4b7e-9a57-1f1d8e7c2a01',
    type: 'user',
    displayName: 'Ada',
    email: 'ada@example.com',
    status,
    managerId: null,
    department: null,
    externalId: '00u1',
    source: 'okta',
  };
}

describe('identityStatusOf', () => {
  it.each([
    ['principal.deactivated', 'deactivated'],
    ['principal.suspended', 'suspended'],
    ['principal.deleted', 'deleted'],
    ['principal.reactivated', 'active'],
  ] as const)('takes the status of a %s event from its kind', (kind, status) => {
    // The facts say 'active' on purpose: the lifecycle event itself is what happened.
    expect(identityStatusOf(facts(kind, kind === 'principal.reactivated' ? 'suspended' : 'active'))).toBe(status);
  });

  it('takes the status of an upsert from its facts', () => {
    expect(identityStatusOf(facts('principal.upserted', 'deactivated'))).toBe('deactivated');
    expect(identityStatusOf(facts('principal.upserted', 'active'))).toBe('active');
  });
});

describe('isPrincipalEvent', () => {
  it('tells principal facts from memberships', () => {
    expect(isPrincipalEvent(facts('principal.upserted', 'active'))).toBe(true);
    expect(
      isPrincipalEvent({ kind: 'membership.added', principalId: facts('principal.upserted', 'active').principalId, groupId: 'g', groupName: 'G', source: 'okta' }),
    ).toBe(false);
  });
});

