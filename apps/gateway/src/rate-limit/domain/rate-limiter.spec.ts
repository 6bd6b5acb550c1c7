import { LimitRequest, RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now: number;
  let limiter: RateLimiter;
  const request = (overrides: Partial<LimitRequest> = {}): LimitRequest => ({
    keyId: 'key-1',
    keyLimits: null,
    apiId: 'api-1',
    apiLimits: null,
    ...overrides,
  });

  beforeEach(() => {
    now = Date.parse('2030-05-20T10:00:00Z');
    limiter = new RateLimiter(() => now);
  });

  it('lets everything through, with no fields, when no limit applies', () => {
    expect(limiter.check(request())).toEqual({ allowed: true, retryAfterSeconds: 0, fields: null });
    expect(limiter.subjectCount).toBe(0);
  });

  it('refuses a key past its burst, says when to retry, and admits again once refilled', () => {
    const keyLimits = { rateLimit: { requestsPerSecond: 1, burst: 2 }, quota: null };
    expect(limiter.check(request({ keyLimits }))).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
      fields: { policy: '"key-rate";q=2;w=2', limit: '"key-rate";r=1;t=1' },
    });
    expect(limiter.check(request({ keyLimits })).fields?.limit).toBe('"key-rate";r=0;t=1');
    // Refused, the effective window ends when Retry-After does (the draft: Retry-After not before the window's end).
    const refused = limiter.check(request({ keyLimits }));
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1, fields: { limit: '"key-rate";r=0;t=1' } });
    now += 1000;
    expect(limiter.check(request({ keyLimits })).allowed).toBe(true);
  });

  it('holds a key to its limit across every API it calls', () => {
    const keyLimits = { rateLimit: { requestsPerSecond: 1, burst: 1 }, quota: null };
    expect(limiter.check(request({ keyLimits, apiId: 'a' })).allowed).toBe(true);
    expect(limiter.check(request({ keyLimits, apiId: 'b' })).allowed).toBe(false);
  });

  it("holds each key to an API's per-key limit separately", () => {
    const apiLimits = { rateLimit: { requestsPerSecond: 1, burst: 1 }, quota: null };
    expect(limiter.check(request({ apiLimits, keyId: 'k1' })).allowed).toBe(true);
    expect(limiter.check(request({ apiLimits, keyId: 'k1' })).allowed).toBe(false);
    expect(limiter.check(request({ apiLimits, keyId: 'k2' })).allowed).toBe(true);
    expect(limiter.check(request({ apiLimits, keyId: 'k1', apiId: 'api-2' })).allowed).toBe(true);
  });

  it('takes nothing from one limit when another refuses', () => {
    const keyLimits = { rateLimit: { requestsPerSecond: 1, burst: 5 }, quota: null };
    const apiLimits = { rateLimit: null, quota: { perDay: 1, perMonth: null } };
    expect(limiter.check(request({ keyLimits, apiLimits })).allowed).toBe(true);
    const refused = limiter.check(request({ keyLimits, apiLimits }));
    expect(refused.allowed).toBe(false);
    expect(limiter.check(request({ keyLimits, apiId: 'other' })).fields?.limit).toBe('"key-rate";r=3;t=1');
  });

  it('enforces a daily quota until the next UTC midnight and reports both policies', () => {
    const keyLimits = { rateLimit: null, quota: { perDay: 2, perMonth: 100 } };
    limiter.check(request({ keyLimits }));
    const last = limiter.check(request({ keyLimits }));
    expect(last.fields).toEqual({ policy: '"key-day";q=2;w=86400, "key-month";q=100;w=2678400', limit: `"key-day";r=0;t=${14 * 3600}` });
    const refused = limiter.check(request({ keyLimits }));
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 14 * 3600 });
    now = Date.parse('2030-05-21T00:00:00Z');
    expect(limiter.check(request({ keyLimits })).fields?.limit).toBe('"key-day";r=1;t=86400');
  });

  it('enforces a monthly quota across days', () => {
    const keyLimits = { rateLimit: null, quota: { perDay: null, perMonth: 2 } };
    limiter.check(request({ keyLimits }));
    now = Date.parse('2030-05-25T00:00:00Z');
    limiter.check(request({ keyLimits }));
    now = Date.parse('2030-05-31T23:00:00Z');
    expect(limiter.check(request({ keyLimits }))).toMatchObject({ allowed: false, retryAfterSeconds: 3600 });
    now = Date.parse('2030-06-01T00:00:00Z');
    expect(limiter.check(request({ keyLimits })).allowed).toBe(true);
  });

  it('writes a bucket as its burst over the whole seconds it takes to refill, never more than it admits', () => {
    expect(limiter.check(request({ keyLimits: { rateLimit: { requestsPerSecond: 0.5, burst: 3 }, quota: null } })).fields?.policy).toBe('"key-rate";q=3;w=6');
    expect(limiter.check(request({ keyId: 'k2', keyLimits: { rateLimit: { requestsPerSecond: 3, burst: 10 }, quota: null } })).fields?.policy).toBe(
      '"key-rate";q=10;w=4',
    );
  });

  it("lists the key's own policies and its policies on the API, and names the one closest to exhaustion", () => {
    const keyLimits = { rateLimit: { requestsPerSecond: 10, burst: 20 }, quota: null };
    const apiLimits = { rateLimit: null, quota: { perDay: 5, perMonth: null } };
    const first = limiter.check(request({ keyLimits, apiLimits })).fields;
    expect(first).toEqual({ policy: '"key-rate";q=20;w=2, "api-day";q=5;w=86400', limit: `"api-day";r=4;t=${14 * 3600}` });
    // The joined policy is kept, not rebuilt, while neither subject changes.
    expect(limiter.check(request({ keyLimits, apiLimits })).fields?.policy).toBe(first!.policy);
    const wider = { rateLimit: null, quota: { perDay: 50, perMonth: null } };
    expect(limiter.check(request({ keyLimits, apiLimits: wider }))).toMatchObject({
      fields: { policy: '"key-rate";q=20;w=2, "api-day";q=50;w=86400', limit: '"key-rate";r=17;t=1' },
    });
  });

  it('follows a changed limit without granting a fresh burst', () => {
    limiter.check(request({ keyLimits: { rateLimit: { requestsPerSecond: 1, burst: 3 }, quota: null } }));
    const tighter = { rateLimit: { requestsPerSecond: 1, burst: 1 }, quota: { perDay: 10, perMonth: null } };
    expect(limiter.check(request({ keyLimits: tighter })).fields).toEqual({ policy: '"key-rate";q=1;w=1, "key-day";q=10;w=86400', limit: '"key-rate";r=0;t=1' });
    expect(limiter.check(request({ keyLimits: tighter })).allowed).toBe(false);
  });

  it('lists the recently used subjects for the cluster sync and forgets idle ones that hold nothing', () => {
    const keyLimits = { rateLimit: { requestsPerSecond: 10, burst: 10 }, quota: null };
    const apiLimits = { rateLimit: null, quota: { perDay: 5, perMonth: null } };
    limiter.check(request({ keyLimits, apiLimits }));
    expect(limiter.recentlyUsed(1000).map((s) => s.id).sort()).toEqual(['k:key-1', 'ka:key-1:api-1']);
    now += 5000;
    // The day's count was never pushed (no sync ran): that subject stays listed until it is.
    expect(limiter.recentlyUsed(1000).map((s) => s.id)).toEqual(['ka:key-1:api-1']);
    const [counting] = limiter.recentlyUsed(1000);
    const push = counting.day!.beginSync();
    counting.day!.completeSync(push.windowId, push.count);
    expect(limiter.recentlyUsed(1000)).toEqual([]);
    // The bucket refilled and can go; the day's count cannot until the day is over.
    expect(limiter.sweep(1000)).toBe(1);
    expect(limiter.subjectCount).toBe(1);
    now = Date.parse('2030-05-21T00:00:00Z');
    expect(limiter.sweep(1000)).toBe(1);
    expect(limiter.subjectCount).toBe(0);
  });
});
