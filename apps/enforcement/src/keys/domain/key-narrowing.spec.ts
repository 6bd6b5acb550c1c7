import { narrowingProblems, NarrowingApi } from './key-narrowing';

const payments: NarrowingApi = {
  id: '00000000-0000-4000-8000-0000000000a1',
  status: 'active',
  routes: [
    { method: 'GET', path: '/charges', scope: 'charges:read' },
    { method: 'POST', path: '/charges', scope: 'charges:write' },
  ],
};
const legacy: NarrowingApi = { id: '00000000-0000-4000-8000-0000000000a2', status: 'retired', routes: [{ method: 'GET', path: '/x', scope: 'legacy:read' }] };
const unknownId = '00000000-0000-4000-8000-0000000000a3';

describe('narrowingProblems', () => {
  it('accepts a key narrowed to existing APIs and scopes they route', () => {
    expect(narrowingProblems({ apiIds: [payments.id], scopes: ['charges:read'], apis: [payments], catalogScopes: new Set() })).toEqual([]);
  });

  it('accepts no narrowing at all', () => {
    expect(narrowingProblems({ apiIds: null, scopes: null, apis: [], catalogScopes: new Set() })).toEqual([]);
  });

  it('names each unknown or retired API by its place in apiIds', () => {
    expect(narrowingProblems({ apiIds: [payments.id, unknownId, legacy.id], scopes: null, apis: [payments, legacy], catalogScopes: new Set() })).toEqual([
      { field: 'apiIds.1', message: `no API with id ${unknownId}` },
      { field: 'apiIds.2', message: `API ${legacy.id} is retired` },
    ]);
  });

  it('refuses a scope none of the named APIs routes, even one another API has', () => {
    expect(
      narrowingProblems({ apiIds: [payments.id], scopes: ['charges:read', 'refunds:write'], apis: [payments], catalogScopes: new Set(['refunds:write']) }),
    ).toEqual([{ field: 'scopes.1', message: 'scope refunds:write is not routed by the APIs the key is narrowed to' }]);
  });

  it('checks scopes against the whole catalog when no API is named', () => {
    const catalogScopes = new Set(['charges:read']);
    expect(narrowingProblems({ apiIds: null, scopes: ['charges:read'], apis: [], catalogScopes })).toEqual([]);
    expect(narrowingProblems({ apiIds: null, scopes: ['nope'], apis: [], catalogScopes })).toEqual([
      { field: 'scopes.0', message: 'scope nope is not routed by any API in the catalog' },
    ]);
  });
});
