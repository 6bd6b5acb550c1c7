import { PrincipalFacts, principalEventKind, principalFacts, PrincipalRecord, recordChanged } from './principal';

const facts = (overrides: Partial<PrincipalFacts> = {}): PrincipalFacts => ({
  principalId: '7d0c4a57-3f5e-4d5c-9a4e-9b1f6f0c2a11',
  type: 'user',
  displayName: 'Ada Lovelace',
  email: 'ada@example.com',
  status: 'active',
  managerId: null,
  department: 'Engineering',
  externalId: '00u1',
  ...overrides,
});

const record = (overrides: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  id: '7d0c4a57-3f5e-4d5c-9a4e-9b1f6f0c2a11',
  type: 'user',
  userName: 'ada@example.com',
  email: 'ada@example.com',
  displayName: 'Ada Lovelace',
  givenName: 'Ada',
  familyName: 'Lovelace',
  title: null,
  department: 'Engineering',
  status: 'active',
  managerPrincipalId: null,
  managerOktaId: null,
  oktaId: '00u1',
  oktaStatus: 'ACTIVE',
  oktaLastUpdated: new Date('2024-01-01T00:00:00Z'),
  scimManaged: false,
  scimExternalId: null,
  ...overrides,
});

describe('principal identity events', () => {
  it('publishes nothing when no fact changed', () => {
    expect(principalEventKind(facts(), facts())).toBeNull();
  });

  it('announces a new active principal as an upsert, and a new inactive one by its status', () => {
    expect(principalEventKind(null, facts())).toBe('principal.upserted');
    expect(principalEventKind(null, facts({ status: 'deactivated' }))).toBe('principal.deactivated');
    expect(principalEventKind(null, facts({ status: 'suspended' }))).toBe('principal.suspended');
  });

  it('names each lifecycle move by the status reached', () => {
    expect(principalEventKind(facts(), facts({ status: 'deactivated' }))).toBe('principal.deactivated');
    expect(principalEventKind(facts(), facts({ status: 'suspended' }))).toBe('principal.suspended');
    expect(principalEventKind(facts({ status: 'deactivated' }), facts({ status: 'deleted' }))).toBe('principal.deleted');
    expect(principalEventKind(facts({ status: 'suspended' }), facts())).toBe('principal.reactivated');
    expect(principalEventKind(facts({ status: 'deactivated' }), facts())).toBe('principal.reactivated');
  });

  it('announces a profile or manager change without a status move as an upsert', () => {
    expect(principalEventKind(facts(), facts({ department: 'Legal' }))).toBe('principal.upserted');
    expect(principalEventKind(facts(), facts({ managerId: '2b1e9a40-8a51-4d0f-8f0e-2f3a1c9d7e55' }))).toBe('principal.upserted');
    expect(principalEventKind(facts(), facts({ email: null }))).toBe('principal.upserted');
  });

  it('keeps the Okta id as the external id when SCIM also links the principal', () => {
    expect(principalFacts(record({ scimExternalId: 'entra-1' })).externalId).toBe('00u1');
    expect(principalFacts(record({ oktaId: null, scimExternalId: 'entra-1' })).externalId).toBe('entra-1');
  });

  it('writes a row when a stored column changed even though no published fact did', () => {
    expect(recordChanged(record(), record())).toBe(false);
    expect(recordChanged(record(), record({ title: 'CTO' }))).toBe(true);
    expect(recordChanged(record(), record({ oktaLastUpdated: new Date('2024-02-01T00:00:00Z') }))).toBe(true);
    expect(principalEventKind(principalFacts(record()), principalFacts(record({ title: 'CTO' })))).toBeNull();
  });
});
