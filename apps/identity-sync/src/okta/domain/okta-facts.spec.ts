import { identityStatusOf, oktaGroupFacts, oktaUserFacts } from './okta-facts';

describe('Okta user → principal facts', () => {
  const user = {
    id: '00u00000000000mst4nd',
    status: 'ACTIVE',
    lastUpdated: new Date('2024-01-01T00:21:00.000Z'),
    profile: {
      login: 'alan.turing.21@example.com',
      email: 'alan.turing.21@example.com',
      firstName: 'Alan',
      lastName: 'Turing',
      displayName: 'Alan Turing',
      department: 'Sales',
      title: 'Manager',
      managerId: '00u000000000003st4nd',
      manager: 'Grace Lovelace',
    },
  };

  it('maps profile, manager and status', () => {
    expect(oktaUserFacts(user)).toEqual({
      oktaId: '00u00000000000mst4nd',
      userName: 'alan.turing.21@example.com',
      email: 'alan.turing.21@example.com',
      displayName: 'Alan Turing',
      givenName: 'Alan',
      familyName: 'Turing',
      title: 'Manager',
      department: 'Sales',
      managerOktaId: '00u000000000003st4nd',
      status: 'active',
      oktaStatus: 'ACTIVE',
      oktaLastUpdated: new Date('2024-01-01T00:21:00.000Z'),
    });
  });

  it('folds Okta statuses into active, suspended and deactivated', () => {
    for (const status of ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']) {
      expect(identityStatusOf(status)).toBe('active');
    }
    expect(identityStatusOf('SUSPENDED')).toBe('suspended');
    expect(identityStatusOf('DEPROVISIONED')).toBe('deactivated');
  });

  it('builds a display name from the names, and drops an e-mail the contract would refuse', () => {
    const facts = oktaUserFacts({
      id: '00u2',
      status: 'DEPROVISIONED',
      lastUpdated: '2024-03-01T00:00:00.000Z',
      profile: { login: 'svc-build', email: 'not an address', firstName: 'Build', lastName: ' Bot ', displayName: null, managerId: 42 },
    });
    expect(facts.displayName).toBe('Build Bot');
    expect(facts.email).toBeNull();
    expect(facts.managerOktaId).toBeNull();
    expect(facts.status).toBe('deactivated');
    expect(facts.oktaLastUpdated).toEqual(new Date('2024-03-01T00:00:00.000Z'));
  });

  it('maps a group', () => {
    expect(oktaGroupFacts({ id: '00g1', lastUpdated: '2024-01-01T00:00:00.000Z', profile: { name: 'sales-0001', description: null } })).toEqual({
      oktaId: '00g1',
      displayName: 'sales-0001',
      description: null,
      oktaLastUpdated: new Date('2024-01-01T00:00:00.000Z'),
    });
  });
});
