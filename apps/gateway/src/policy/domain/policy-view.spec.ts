import { randomUUID } from 'node:crypto';
import { lifecycleNotice, PolicyView } from './policy-view';
import { catalogState, newKey, policyState } from './policy-view.fixtures';

describe('PolicyView', () => {
  describe('policy state', () => {
    it('indexes a principal and its keys by prefix', () => {
      const view = new PolicyView();
      const key = newKey();
      const state = policyState({ key });
      expect(view.applyPolicy(state.principalId, state)).toBe('applied');
      expect(view.keyByPrefix(key.prefix)).toMatchObject({ keyId: state.keys[0].keyId, principalId: state.principalId });
      expect(view.principal(state.principalId)?.active).toBe(true);
    });

    it('applies a newer or equal version and ignores an older one, so a replay cannot restore a revoked grant', () => {
      const view = new PolicyView();
      const key = newKey();
      const apiId = randomUUID();
      const grant = { grantId: randomUUID(), apiId, scopes: ['items:read'] };
      const principalId = randomUUID();
      const granted = policyState({ principalId, key, version: 4, grants: [grant] });
      const revoked = policyState({ principalId, key, keyId: granted.keys[0].keyId, version: 5, grants: [] });

      expect(view.applyPolicy(principalId, granted)).toBe('applied');
      expect(view.applyPolicy(principalId, revoked)).toBe('applied');
      expect(view.applyPolicy(principalId, granted)).toBe('ignored');
      expect(view.principal(principalId)?.grantsByApi.get(apiId)).toBeUndefined();
      expect(view.principal(principalId)?.version).toBe(5);
      expect(view.applyPolicy(principalId, { ...revoked })).toBe('applied');
    });

    it('drops the index entries of keys a newer state no longer lists', () => {
      const view = new PolicyView();
      const principalId = randomUUID();
      const oldKey = newKey();
      const newer = newKey();
      view.applyPolicy(principalId, policyState({ principalId, key: oldKey, version: 1 }));
      view.applyPolicy(principalId, policyState({ principalId, key: newer, version: 2 }));
      expect(view.keyByPrefix(oldKey.prefix)).toBeUndefined();
      expect(view.keyByPrefix(newer.prefix)?.principalId).toBe(principalId);
    });

    it('deletes a principal and its keys on a tombstone, after which any version applies again', () => {
      const view = new PolicyView();
      const key = newKey();
      const state = policyState({ key, version: 9 });
      view.applyPolicy(state.principalId, state);
      expect(view.applyPolicy(state.principalId, null)).toBe('deleted');
      expect(view.principal(state.principalId)).toBeUndefined();
      expect(view.keyByPrefix(key.prefix)).toBeUndefined();
      expect(view.applyPolicy(state.principalId, null)).toBe('ignored');
      expect(view.applyPolicy(state.principalId, { ...state, version: 1 })).toBe('applied');
    });
  });

  describe('catalog state', () => {
    it('indexes an API by base path and ignores older versions', () => {
      const view = new PolicyView();
      const v2 = catalogState({ version: 2, upstreamUrl: 'http://127.0.0.1:7000/base/' });
      expect(view.applyCatalog(v2.apiId, v2)).toBe('applied');
      expect(view.applyCatalog(v2.apiId, { ...v2, version: 1, status: 'active', basePath: '/old' })).toBe('ignored');
      const match = view.matchApi('/orders/items/1');
      expect(match?.entry).toMatchObject({ apiId: v2.apiId, upstreamOrigin: 'http://127.0.0.1:7000', upstreamPath: '/base' });
      expect(match?.rest).toBe('/items/1');
      expect(view.matchApi('/old/items/1')).toBeNull();
    });

    it('moves the base path index when an API changes its base path', () => {
      const view = new PolicyView();
      const api = catalogState({ basePath: '/a' });
      view.applyCatalog(api.apiId, api);
      view.applyCatalog(api.apiId, { ...api, basePath: '/b', version: 2 });
      expect(view.matchApi('/a/items/1')).toBeNull();
      expect(view.matchApi('/b/items/1')?.entry.apiId).toBe(api.apiId);
    });

    it('deletes an API on a tombstone', () => {
      const view = new PolicyView();
      const api = catalogState();
      view.applyCatalog(api.apiId, api);
      expect(view.applyCatalog(api.apiId, null)).toBe('deleted');
      expect(view.api(api.apiId)).toBeUndefined();
      expect(view.matchApi('/orders/items/1')).toBeNull();
    });

    it('keeps the index entry of another API that claimed the same base path', () => {
      const view = new PolicyView();
      const first = catalogState({ basePath: '/shared' });
      const second = catalogState({ basePath: '/shared' });
      view.applyCatalog(first.apiId, first);
      view.applyCatalog(second.apiId, second);
      view.applyCatalog(first.apiId, null);
      expect(view.matchApi('/shared/items/1')?.entry.apiId).toBe(second.apiId);
    });
  });

  describe('limits', () => {
    it("carries a key's own limits and an API's per-key limits, and none where nothing is capped", () => {
      const view = new PolicyView();
      const key = newKey();
      const limited = policyState({ key });
      limited.keys[0].rateLimit = { requestsPerSecond: 5, burst: 10 };
      view.applyPolicy(limited.principalId, limited);
      expect(view.keyByPrefix(key.prefix)?.limits).toEqual({ rateLimit: { requestsPerSecond: 5, burst: 10 }, quota: null });

      const open = newKey();
      const unlimited = policyState({ key: open });
      unlimited.keys[0].quota = { perDay: null, perMonth: null };
      view.applyPolicy(unlimited.principalId, unlimited);
      expect(view.keyByPrefix(open.prefix)?.limits).toBeNull();

      const api = catalogState({ quota: { perDay: 100, perMonth: null } });
      view.applyCatalog(api.apiId, api);
      expect(view.api(api.apiId)?.keyLimits).toEqual({ rateLimit: null, quota: { perDay: 100, perMonth: null } });
    });
  });

  describe('lifecycle notice', () => {
    const sunsetAt = '2031-06-30T23:59:59.000Z';

    it('says when a deprecated API was deprecated, as an RFC 9745 date, when the catalog knows it', () => {
      const deprecatedAtMs = Date.parse('2030-01-15T10:00:00Z');
      expect(lifecycleNotice({ status: 'deprecated', sunsetAt, deprecatedAtMs })).toEqual([
        'deprecation',
        `@${deprecatedAtMs / 1000}`,
        'sunset',
        'Mon, 30 Jun 2031 23:59:59 GMT',
      ]);
    });

    it('says only that it is deprecated when the moment is unknown, and omits a sunset never set', () => {
      expect(lifecycleNotice({ status: 'deprecated', sunsetAt: null, deprecatedAtMs: null })).toEqual(['deprecation', 'true']);
    });

    it('announces a sunset planned for an active API, and nothing for a retired one (it answers 410)', () => {
      expect(lifecycleNotice({ status: 'active', sunsetAt, deprecatedAtMs: null })).toEqual(['sunset', 'Mon, 30 Jun 2031 23:59:59 GMT']);
      expect(lifecycleNotice({ status: 'active', sunsetAt: null, deprecatedAtMs: null })).toEqual([]);
      expect(lifecycleNotice({ status: 'retired', sunsetAt, deprecatedAtMs: null })).toEqual([]);
    });

    it('reads a deprecation time from a catalog record that carries one, and builds the notice once per version', () => {
      const view = new PolicyView();
      const api = { ...catalogState({ status: 'deprecated', sunsetAt }), deprecatedAt: '2030-01-15T10:00:00.000Z' };
      view.applyCatalog(api.apiId, api);
      expect(view.api(api.apiId)?.noticeHeaders).toEqual(['deprecation', '@1894701600', 'sunset', 'Mon, 30 Jun 2031 23:59:59 GMT']);
    });
  });
});
