import { policyStateSchema } from '@attest/contracts';
import { compilePolicy, PolicySource, policyStatusOf } from './compile-policy';

const principalId = '6f1c1f8e-6a53-4b7e-9a57-1f1d8e7c2a01';
const apiId = '0b6a4d0e-8f52-4c57-a3a1-1c2d3e4f5a6b';
const hash = 'a'.repeat(64);
const unnarrowed = { apiIds: null, scopes: null, rateLimit: null, quota: null };

function source(overrides: Partial<PolicySource> = {}): PolicySource {
  return {
    principalId,
    status: 'active',
    version: 7,
    keys: [],
    grants: [],
    ...overrides,
  };
}

describe('compilePolicy', () => {
  it('lists only active grants, so a revoked or orphaned grant is not granted', () => {
    const policy = compilePolicy(
      source({
        grants: [
          { id: '00000000-0000-4000-8000-000000000001', apiId, scopes: ['read'], status: 'active', heldPendingReview: false, createdAt: new Date(1) },
          { id: '00000000-0000-4000-8000-000000000002', apiId, scopes: ['write'], status: 'revoked', heldPendingReview: false, createdAt: new Date(2) },
          { id: '00000000-0000-4000-8000-000000000003', apiId, scopes: ['admin'], status: 'orphaned', heldPendingReview: false, createdAt: new Date(3) },
        ],
      }),
    );
    expect(policy.grants).toEqual([{ grantId: '00000000-0000-4000-8000-000000000001', apiId, scopes: ['read'] }]);
  });

  it('lists an orphaned grant held pending review, which keeps working until a reviewer decides', () => {
    const policy = compilePolicy(
      source({
        grants: [
          { id: '00000000-0000-4000-8000-000000000003', apiId, scopes: ['admin'], status: 'orphaned', heldPendingReview: true, createdAt: new Date(3) },
          { id: '00000000-0000-4000-8000-000000000004', apiId, scopes: ['read'], status: 'orphaned', heldPendingReview: false, createdAt: new Date(4) },
        ],
      }),
    );
    expect(policy.grants.map((grant) => grant.grantId)).toEqual(['00000000-0000-4000-8000-000000000003']);
  });

  it('lists a suspended key with its status, so the gateway answers it 401', () => {
    const policy = compilePolicy(
      source({
        keys: [{ id: '00000000-0000-4000-8000-00000000000a', prefix: 'AAAAAAAAAAAA', secretHash: hash, status: 'suspended', expiresAt: null, ...unnarrowed, createdAt: new Date(1) }],
      }),
    );
    expect(policy.keys.map((key) => key.status)).toEqual(['suspended']);
    expect(policyStateSchema.parse(policy)).toEqual(policy);
  });

  it('enforces an inactive identity as suspended or deleted, unless its access is held pending review', () => {
    expect(policyStatusOf({ status: 'active', heldPendingReview: false })).toBe('active');
    expect(policyStatusOf({ status: 'deactivated', heldPendingReview: false })).toBe('suspended');
    expect(policyStatusOf({ status: 'suspended', heldPendingReview: false })).toBe('suspended');
    expect(policyStatusOf({ status: 'deleted', heldPendingReview: false })).toBe('deleted');
    expect(policyStatusOf({ status: 'deactivated', heldPendingReview: true })).toBe('active');
  });

  it('lists every key with its status and hash, revoked ones included', () => {
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    const policy = compilePolicy(
      source({
        keys: [
          { id: '00000000-0000-4000-8000-00000000000b', prefix: 'BBBBBBBBBBBB', secretHash: hash, status: 'revoked', expiresAt: null, ...unnarrowed, createdAt: new Date(2) },
          { id: '00000000-0000-4000-8000-00000000000a', prefix: 'AAAAAAAAAAAA', secretHash: hash, status: 'active', expiresAt, ...unnarrowed, createdAt: new Date(1) },
        ],
      }),
    );
    expect(policy.keys).toEqual([
      { keyId: '00000000-0000-4000-8000-00000000000a', prefix: 'AAAAAAAAAAAA', secretHash: hash, status: 'active', expiresAt: '2030-01-01T00:00:00.000Z', apiIds: null, scopes: null, rateLimit: null, quota: null },
      { keyId: '00000000-0000-4000-8000-00000000000b', prefix: 'BBBBBBBBBBBB', secretHash: hash, status: 'revoked', expiresAt: null, apiIds: null, scopes: null, rateLimit: null, quota: null },
    ]);
  });

  it("carries a key's narrowing (sorted, without duplicates) and its limits", () => {
    const otherApi = '0b6a4d0e-8f52-4c57-a3a1-000000000000';
    const policy = compilePolicy(
      source({
        keys: [
          {
            id: '00000000-0000-4000-8000-00000000000a',
            prefix: 'AAAAAAAAAAAA',
            secretHash: hash,
            status: 'active',
            expiresAt: null,
            apiIds: [apiId, otherApi, apiId],
            scopes: ['write', 'read'],
            rateLimit: { requestsPerSecond: 5, burst: 10 },
            quota: { perDay: 1000, perMonth: null },
            createdAt: new Date(1),
          },
        ],
      }),
    );
    expect(policy.keys[0]).toMatchObject({
      apiIds: [otherApi, apiId],
      scopes: ['read', 'write'],
      rateLimit: { requestsPerSecond: 5, burst: 10 },
      quota: { perDay: 1000, perMonth: null },
    });
    expect(policyStateSchema.parse(policy)).toEqual(policy);
  });

  it('carries the principal status and version, and satisfies the policy.state.v1 contract', () => {
    const policy = compilePolicy(
      source({
        status: 'suspended',
        keys: [{ id: '00000000-0000-4000-8000-00000000000a', prefix: 'AAAAAAAAAAAA', secretHash: hash, status: 'active', expiresAt: null, ...unnarrowed, createdAt: new Date(1) }],
        grants: [{ id: '00000000-0000-4000-8000-000000000001', apiId, scopes: ['b', 'a', 'b'], status: 'active', heldPendingReview: false, createdAt: new Date(1) }],
      }),
    );
    expect(policy).toMatchObject({ principalId, status: 'suspended', version: 7 });
    expect(policy.grants[0].scopes).toEqual(['a', 'b']);
    expect(policyStateSchema.parse(policy)).toEqual(policy);
  });

  it('compiles the same state to the same message whatever the input order', () => {
    const grants: PolicySource['grants'] = [
      { id: '00000000-0000-4000-8000-000000000002', apiId, scopes: ['x'], status: 'active', heldPendingReview: false, createdAt: new Date(5) },
      { id: '00000000-0000-4000-8000-000000000001', apiId, scopes: ['y'], status: 'active', heldPendingReview: false, createdAt: new Date(5) },
    ];
    expect(compilePolicy(source({ grants }))).toEqual(compilePolicy(source({ grants: [...grants].reverse() })));
    expect(compilePolicy(source({ grants })).grants.map((grant) => grant.grantId)).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
  });
});
