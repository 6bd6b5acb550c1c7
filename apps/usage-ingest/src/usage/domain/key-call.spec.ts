import type { AccessLogRecord } from '@attest/contracts';
import { usageOf } from './key-call';

const allowed: AccessLogRecord = {
  requestId: 'req-1',
  at: '2026-03-01T10:00:00.000Z',
  method: 'GET',
  path: '/orders/v1/orders/42',
  status: 200,
  outcome: 'allowed',
  latencyMs: 3.2,
  apiId: '4f0c1a52-8a8e-4f4e-9d0e-0e6f4c1f9a01',
  route: 'GET /orders/:id',
  keyId: '0b7b3c1e-2f7d-4d43-9a4b-5f7f0d1f2a11',
  principalId: '6a1e3b0c-1d2e-4f3a-8b9c-0d1e2f3a4b5c',
  grantId: '9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f',
  gatewayId: 'gw-1',
};

describe('usageOf', () => {
  it('counts a call made under a grant, with its key, API, principal, route and time', () => {
    expect(usageOf(allowed)).toEqual({
      kind: 'call',
      call: {
        keyId: allowed.keyId,
        apiId: allowed.apiId,
        principalId: allowed.principalId,
        grantId: allowed.grantId,
        route: allowed.route,
        at: allowed.at,
      },
    });
  });

  it('counts a call under a grant whatever its outcome upstream', () => {
    expect(usageOf({ ...allowed, outcome: 'upstream_error', status: 502 }).kind).toBe('call');
  });

  it('counts a denied call of an authenticated key for its key and API, without a grant', () => {
    const usage = usageOf({ ...allowed, outcome: 'forbidden', status: 403, grantId: null });
    expect(usage).toMatchObject({ kind: 'call', call: { keyId: allowed.keyId, apiId: allowed.apiId, grantId: null } });
  });

  it('does not count a call whose key was not authenticated', () => {
    expect(usageOf({ ...allowed, outcome: 'unauthenticated', status: 401, grantId: null })).toEqual({ kind: 'none' });
  });

  it('does not count a call without a key or outside any known API', () => {
    expect(usageOf({ ...allowed, grantId: null, keyId: null, principalId: null })).toEqual({ kind: 'none' });
    expect(usageOf({ ...allowed, grantId: null, apiId: null, route: null, outcome: 'not_found', status: 404 })).toEqual({ kind: 'none' });
  });

  it('rejects a grant named without a key', () => {
    expect(usageOf({ ...allowed, keyId: null })).toEqual({ kind: 'malformed', reason: expect.stringContaining('no key') });
  });

  it('rejects a grant named without a route', () => {
    expect(usageOf({ ...allowed, route: null })).toEqual({ kind: 'malformed', reason: expect.stringContaining('no route') });
  });

  it('rejects a grant named without an API or a principal', () => {
    expect(usageOf({ ...allowed, apiId: null })).toEqual({ kind: 'malformed', reason: expect.stringContaining('no API') });
    expect(usageOf({ ...allowed, principalId: null })).toEqual({ kind: 'malformed', reason: expect.stringContaining('no principal') });
  });
});
