import { randomUUID } from 'node:crypto';
import { AccessEvaluator, AccessRequest } from './access-decision';
import { PolicyView } from './policy-view';
import { catalogState, newKey, PEPPER, policyState } from './policy-view.fixtures';

describe('AccessEvaluator', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  let view: PolicyView;
  let evaluator: AccessEvaluator;
  const key = newKey();
  const api = catalogState({ basePath: '/shop/orders' });
  const grantId = randomUUID();
  const principalId = randomUUID();
  const granted = policyState({ principalId, key, grants: [{ grantId, apiId: api.apiId, scopes: ['items:read'] }] });

  const request = (overrides: Partial<AccessRequest> = {}): AccessRequest => ({
    credential: key.raw,
    method: 'GET',
    path: '/shop/orders/items/7',
    nowMs: now,
    ...overrides,
  });

  beforeEach(() => {
    view = new PolicyView();
    view.applyCatalog(api.apiId, api);
    view.applyPolicy(principalId, granted);
    evaluator = new AccessEvaluator(view, PEPPER);
  });

  it('allows a granted route and names the grant and the path below the base path', () => {
    const decision = evaluator.decide(request());
    expect(decision).toMatchObject({ outcome: 'allowed', grantId, rest: '/items/7' });
  });

  describe('answers one and the same unauthenticated failure for anything but the genuine secret', () => {
    const cases: Array<[string, () => Partial<AccessRequest>]> = [
      ['no credential', () => ({ credential: null })],
      ['a malformed key', () => ({ credential: 'not-a-key' })],
      ['an unknown prefix', () => ({ credential: newKey().raw })],
      ['a wrong secret', () => ({ credential: `atk_${key.prefix}_${newKey().secret}` })],
    ];
    it.each(cases)('%s', (_name, overrides) => {
      expect(evaluator.decide(request(overrides()))).toEqual({ outcome: 'unauthenticated', failure: 'unknown' });
    });

    it('a wrong secret for a revoked or expired key, which reveals neither', () => {
      const expiresAt = new Date(now - 1).toISOString();
      view.applyPolicy(principalId, { ...granted, version: 2, keys: [{ ...granted.keys[0], status: 'revoked', expiresAt }] });
      expect(evaluator.decide(request({ credential: `atk_${key.prefix}_${newKey().secret}` }))).toEqual({ outcome: 'unauthenticated', failure: 'unknown' });
    });

    it('a key checked with another pepper', () => {
      expect(new AccessEvaluator(view, `${PEPPER}-other`).decide(request())).toEqual({ outcome: 'unauthenticated', failure: 'unknown' });
    });
  });

  describe('tells the holder of a genuine secret why its key no longer works', () => {
    it('an expired key, from the instant it expires', () => {
      const expiresAt = new Date(now).toISOString();
      view.applyPolicy(principalId, { ...granted, version: 2, keys: [{ ...granted.keys[0], expiresAt }] });
      expect(evaluator.decide(request({ nowMs: now - 1 })).outcome).toBe('allowed');
      expect(evaluator.decide(request())).toEqual({ outcome: 'unauthenticated', failure: 'expired' });
    });

    it('a revoked key', () => {
      view.applyPolicy(principalId, { ...granted, version: 2, keys: [{ ...granted.keys[0], status: 'revoked' }] });
      expect(evaluator.decide(request())).toEqual({ outcome: 'unauthenticated', failure: 'revoked' });
    });

    it('a suspended key, like a revoked one', () => {
      view.applyPolicy(principalId, { ...granted, version: 2, keys: [{ ...granted.keys[0], status: 'suspended' }] });
      expect(evaluator.decide(request())).toEqual({ outcome: 'unauthenticated', failure: 'revoked' });
    });

    it('a key of a principal that is not active, like a revoked one', () => {
      view.applyPolicy(principalId, { ...granted, version: 2, status: 'suspended' });
      expect(evaluator.decide(request())).toEqual({ outcome: 'unauthenticated', failure: 'revoked' });
    });

    it('a revoked key that has also expired, as revoked: waiting or rotating will not bring it back', () => {
      const expiresAt = new Date(now - 1).toISOString();
      view.applyPolicy(principalId, { ...granted, version: 2, keys: [{ ...granted.keys[0], status: 'revoked', expiresAt }] });
      expect(evaluator.decide(request())).toEqual({ outcome: 'unauthenticated', failure: 'revoked' });
    });
  });

  it('answers not found for an unknown API, an unknown route or a dot segment', () => {
    expect(evaluator.decide(request({ path: '/nowhere/items/7' })).outcome).toBe('not_found');
    expect(evaluator.decide(request({ path: '/shop/orders/unknown' })).outcome).toBe('not_found');
    expect(evaluator.decide(request({ method: 'DELETE' })).outcome).toBe('not_found');
    expect(evaluator.decide(request({ path: '/shop/orders/items/../items/7' })).outcome).toBe('not_found');
  });

  it('answers retired for any path of a retired API', () => {
    view.applyCatalog(api.apiId, { ...api, version: 2, status: 'retired' });
    expect(evaluator.decide(request()).outcome).toBe('retired');
    expect(evaluator.decide(request({ path: '/shop/orders/unknown' })).outcome).toBe('retired');
  });

  it('still allows a deprecated API', () => {
    view.applyCatalog(api.apiId, { ...api, version: 2, status: 'deprecated' });
    expect(evaluator.decide(request()).outcome).toBe('allowed');
  });

  it('answers forbidden when no grant on the API carries the route scope', () => {
    expect(evaluator.decide(request({ method: 'POST', path: '/shop/orders/items' })).outcome).toBe('forbidden');
    view.applyPolicy(principalId, { ...granted, version: 2, grants: [] });
    expect(evaluator.decide(request())).toMatchObject({ outcome: 'forbidden', route: { scope: 'items:read' } });
  });

  it('does not let a grant on one API open another', () => {
    const other = catalogState({ basePath: '/other' });
    view.applyCatalog(other.apiId, other);
    expect(evaluator.decide(request({ path: '/other/items/7' })).outcome).toBe('forbidden');
  });

  it('honours a key narrowed to some APIs or scopes, whatever its principal is granted', () => {
    const other = catalogState({ basePath: '/other' });
    view.applyCatalog(other.apiId, other);
    const grants = [
      { grantId, apiId: api.apiId, scopes: ['items:read', 'items:write'] },
      { grantId: randomUUID(), apiId: other.apiId, scopes: ['items:read'] },
    ];
    const keyId = granted.keys[0].keyId;
    view.applyPolicy(principalId, policyState({ principalId, key, keyId, version: 2, grants, keyApiIds: [api.apiId], keyScopes: ['items:read'] }));
    expect(evaluator.decide(request()).outcome).toBe('allowed');
    expect(evaluator.decide(request({ path: '/other/items/7' })).outcome).toBe('forbidden');
    expect(evaluator.decide(request({ method: 'POST', path: '/shop/orders/items' })).outcome).toBe('forbidden');
    view.applyPolicy(principalId, policyState({ principalId, key, keyId, version: 3, grants }));
    expect(evaluator.decide(request({ method: 'POST', path: '/shop/orders/items' })).outcome).toBe('allowed');
  });

  it('ignores an older policy replayed after a revocation', () => {
    view.applyPolicy(principalId, { ...granted, version: 2, grants: [] });
    view.applyPolicy(principalId, granted);
    expect(evaluator.decide(request()).outcome).toBe('forbidden');
  });
});
