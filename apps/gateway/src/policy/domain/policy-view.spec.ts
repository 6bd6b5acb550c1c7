import { randomUUID } from 'node:crypto';
import { PolicyView } from './policy-view';
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
});
