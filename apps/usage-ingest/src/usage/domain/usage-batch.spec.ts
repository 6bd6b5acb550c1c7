import { KeyCall } from './key-call';
import { reduceCalls } from './usage-batch';

const key = '0b7b3c1e-2f7d-4d43-9a4b-5f7f0d1f2a11';
const api = '4f0c1a52-8a8e-4f4e-9d0e-0e6f4c1f9a01';
const principal = '6a1e3b0c-1d2e-4f3a-8b9c-0d1e2f3a4b5c';
const grantA = '9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f';
const grantB = '1c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f';
const call = (overrides: Partial<KeyCall>): KeyCall => ({
  keyId: key,
  apiId: api,
  principalId: principal,
  grantId: grantA,
  route: 'GET /a',
  at: '2026-05-01T10:00:00.000Z',
  ...overrides,
});

describe('reduceCalls', () => {
  it('adds up calls per key, grant, route and UTC day, keeping the latest time of each', () => {
    const { daily } = reduceCalls([
      call({ at: '2026-05-01T10:00:00.000Z' }),
      call({ at: '2026-05-01T12:00:00.000Z' }),
      call({ at: '2026-05-01T11:00:00.000Z' }),
      // 23:30 at UTC-2 is already the next day in UTC.
      call({ at: '2026-05-01T23:30:00.000-02:00' }),
      call({ route: 'GET /b', at: '2026-05-01T08:00:00.000Z' }),
    ]);
    expect(daily.map(({ route, day, requests, lastUsedAt }) => ({ route, day, requests, lastUsedAt }))).toEqual([
      { route: 'GET /a', day: '2026-05-01', requests: 3, lastUsedAt: '2026-05-01T12:00:00.000Z' },
      { route: 'GET /a', day: '2026-05-02', requests: 1, lastUsedAt: '2026-05-01T23:30:00.000-02:00' },
      { route: 'GET /b', day: '2026-05-01', requests: 1, lastUsedAt: '2026-05-01T08:00:00.000Z' },
    ]);
  });

  it('adds up calls per grant, sorted by grant id', () => {
    const { grants } = reduceCalls([call({ grantId: grantA }), call({ grantId: grantB, at: '2026-05-03T00:00:00.000Z' }), call({ grantId: grantA })]);
    expect(grants.map(({ grantId, requests, lastUsedAt }) => ({ grantId, requests, lastUsedAt }))).toEqual([
      { grantId: grantB, requests: 1, lastUsedAt: '2026-05-03T00:00:00.000Z' },
      { grantId: grantA, requests: 2, lastUsedAt: '2026-05-01T10:00:00.000Z' },
    ]);
  });

  it('counts a denied call for its key and API only, and keeps the grant of the latest granted call', () => {
    const { keyApis, grants, daily } = reduceCalls([
      call({ grantId: grantA, at: '2026-05-01T10:00:00.000Z' }),
      call({ grantId: grantB, at: '2026-05-01T11:00:00.000Z' }),
      call({ grantId: null, route: null, at: '2026-05-01T12:00:00.000Z' }),
    ]);
    expect(keyApis.map(({ keyId, apiId, principalId, grantId, requests, lastUsedAt }) => ({ keyId, apiId, principalId, grantId, requests, lastUsedAt }))).toEqual([
      { keyId: key, apiId: api, principalId: principal, grantId: grantB, requests: 3, lastUsedAt: '2026-05-01T12:00:00.000Z' },
    ]);
    expect(grants.reduce((sum, g) => sum + g.requests, 0)).toBe(2);
    expect(daily.reduce((sum, d) => sum + d.requests, 0)).toBe(2);
  });
});
