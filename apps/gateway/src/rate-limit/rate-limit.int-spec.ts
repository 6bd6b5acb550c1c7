import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { CatalogState, PROBLEM_TYPES, TOPICS } from '@attest/contracts';
import { ensureTopics } from '@attest/messaging';
import { testKafka, waitFor } from '@attest/testing';
import {
  bearer,
  catalogState,
  freePort,
  metricValue,
  newKey,
  policyState,
  publishCatalog,
  publishPolicies,
  startEchoUpstream,
  startGateway,
  TestKey,
} from '../gateway-test.fixtures';

jest.setTimeout(180_000);

const PEPPER = `rate-limit-int-spec-pepper-${randomUUID()}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limits and quotas at the gateway', () => {
  const run = randomUUID().slice(0, 8);
  let producer: Producer;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  const gateways: INestApplicationContext[] = [];
  let local: string;
  let sharedA: string;
  let sharedB: string;
  let isolated: string;

  // One API without limits of its own, one that limits every key to 3 calls per UTC day.
  let open: CatalogState;
  let daily: CatalogState;

  const start = async (env: Record<string, string>) => {
    const gateway = await startGateway({ NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEY_PEPPER: PEPPER, PORT: '0', ...env });
    gateways.push(gateway.app);
    return gateway.url;
  };
  const call = async (base: string, path: string, key: TestKey) => {
    const response = await fetch(`${base}${path}`, { headers: bearer(key) });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const metrics = async (base: string) => (await fetch(`${base}/metrics`)).text();
  const readyBody = async (base: string) => {
    const response = await fetch(`${base}/health/ready`);
    return { status: response.status, body: JSON.parse(await response.text()) as { rateLimit: { mode: string; redis?: string } } };
  };
  /** Publishes a key with the given limits on both APIs and waits until every gateway lets it through once. */
  const keyWith = async (options: { keyOverrides: Parameters<typeof policyState>[0]['keyOverrides']; on: string[] }) => {
    const key = newKey();
    await publishPolicies(producer, [policyState({ pepper: PEPPER, key, apiIds: [open.apiId, daily.apiId], keyOverrides: options.keyOverrides })]);
    for (const base of options.on) {
      await waitFor(async () => (await call(base, '/no-such-api', key)).status === 404, { description: 'the key to be known' });
    }
    return key;
  };
  /** Resolves once every gateway completed `count` successful syncs with Redis that began after this call. */
  const syncsAfterNow = async (bases: string[], count: number) => {
    const before = await Promise.all(bases.map(async (base) => metricValue(await metrics(base), 'gateway_rate_limit_syncs_total{result="ok"}') ?? 0));
    await Promise.all(
      bases.map((base, i) =>
        waitFor(async () => (metricValue(await metrics(base), 'gateway_rate_limit_syncs_total{result="ok"}') ?? 0) >= before[i] + count, {
          description: `${count} syncs with Redis`,
        }),
      ),
    );
  };

  beforeAll(async () => {
    const kafka = testKafka('rate-limit-int-spec');
    await ensureTopics(kafka, [TOPICS.policyState, TOPICS.catalogState, TOPICS.accessLogColumns, TOPICS.gatewayApplied]);
    producer = kafka.producer();
    await producer.connect();
    upstream = await startEchoUpstream();
    open = catalogState({ basePath: `/rl-${run}-open`, upstreamUrl: upstream.url });
    daily = catalogState({ basePath: `/rl-${run}-daily`, upstreamUrl: upstream.url, quota: { perDay: 3, perMonth: null } });
    await publishCatalog(producer, [open, daily]);

    const redis = { RATE_LIMIT_MODE: 'redis', REDIS_URL, RATE_LIMIT_SYNC_MS: '50' };
    [local, sharedA, sharedB, isolated] = await Promise.all([
      start({ GATEWAY_ID: `rl-${run}-local`, RATE_LIMIT_MODE: 'local' }),
      start({ GATEWAY_ID: `rl-${run}-a`, ...redis }),
      start({ GATEWAY_ID: `rl-${run}-b`, ...redis }),
      // Nothing listens on this port: Redis is "down" for this replica from the start.
      start({ GATEWAY_ID: `rl-${run}-isolated`, ...redis, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
    ]);
    for (const base of [local, sharedA, sharedB, isolated]) {
      await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200, { description: `${base} ready`, timeoutMs: 60_000 });
    }
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await producer?.disconnect();
    await upstream?.stop();
  });

  it('answers 429 past the burst with Retry-After and the RateLimit fields, and sends the fields on allowed answers too', async () => {
    const key = await keyWith({ keyOverrides: { rateLimit: { requestsPerSecond: 0.01, burst: 3 } }, on: [local] });
    // The 404 used to wait for the key took nothing: only requests that reach a route count.
    const first = await call(local, `${open.basePath}/items/1`, key);
    expect(first.status).toBe(200);
    // A burst of 3 refilled at 0.01/s: 3 requests over 300 s, and one more whole token every 100 s.
    expect(first.headers.get('ratelimit-policy')).toBe('"key-rate";q=3;w=300');
    expect(serviceLimit(first)).toEqual({ policy: 'key-rate', remaining: 2, windowSeconds: 100 });
    expect(serviceLimit(await call(local, `${open.basePath}/items/2`, key))).toMatchObject({ remaining: 1 });
    expect(serviceLimit(await call(local, `${open.basePath}/items/3`, key))).toMatchObject({ remaining: 0 });

    const limited = await call(local, `${open.basePath}/items/4`, key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(limited.body)).toMatchObject({ type: PROBLEM_TYPES.rateLimited, status: 429 });
    // One token comes back every 100 s at 0.01 requests per second.
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(90);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(100);
    // The effective window ends when Retry-After does.
    expect(serviceLimit(limited)).toEqual({ policy: 'key-rate', remaining: 0, windowSeconds: Number(limited.headers.get('retry-after')) });
    expect(limited.body).not.toContain(key.secret);
  });

  it("enforces an API's daily quota per key, until the next UTC midnight", async () => {
    const [first, second] = [await keyWith({ keyOverrides: {}, on: [local] }), await keyWith({ keyOverrides: {}, on: [local] })];
    for (let i = 0; i < 3; i++) expect((await call(local, `${daily.basePath}/items/${i}`, first)).status).toBe(200);
    const limited = await call(local, `${daily.basePath}/items/9`, first);
    expect(limited.status).toBe(429);
    const untilMidnight = (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) / 1000;
    expect(Math.abs(Number(limited.headers.get('retry-after')) - untilMidnight)).toBeLessThan(5);
    expect(limited.headers.get('ratelimit-policy')).toBe('"api-day";q=3;w=86400');
    expect(serviceLimit(limited)).toMatchObject({ policy: 'api-day', remaining: 0 });
    // The quota is per key on that API: another key, or the same key on another API, is unaffected.
    expect((await call(local, `${daily.basePath}/items/1`, second)).status).toBe(200);
    expect((await call(local, `${open.basePath}/items/1`, first)).status).toBe(200);
  });

  it("enforces a key's own monthly quota across APIs", async () => {
    const key = await keyWith({ keyOverrides: { quota: { perDay: null, perMonth: 2 } }, on: [local] });
    expect((await call(local, `${open.basePath}/items/1`, key)).status).toBe(200);
    expect((await call(local, `${daily.basePath}/items/1`, key)).status).toBe(200);
    const limited = await call(local, `${open.basePath}/items/2`, key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/^"key-month";q=2;w=\d+$/);
  });

  it('shares a quota across two gateways through Redis: N calls split over both, then the next on either is 429', async () => {
    const key = await keyWith({ keyOverrides: { quota: { perDay: 6, perMonth: null } }, on: [sharedA, sharedB] });
    for (let i = 0; i < 3; i++) {
      expect((await call(sharedA, `${open.basePath}/items/${i}`, key)).status).toBe(200);
      expect((await call(sharedB, `${open.basePath}/items/${i}`, key)).status).toBe(200);
    }
    // Each gateway first pushes its own 3, then reads back the total the other pushed.
    await syncsAfterNow([sharedA, sharedB], 2);
    await syncsAfterNow([sharedA, sharedB], 2);
    expect((await call(sharedA, `${open.basePath}/items/7`, key)).status).toBe(429);
    expect((await call(sharedB, `${open.basePath}/items/7`, key)).status).toBe(429);
  });

  it('shares a token bucket across two gateways through Redis', async () => {
    const key = await keyWith({ keyOverrides: { rateLimit: { requestsPerSecond: 0.01, burst: 4 } }, on: [sharedA, sharedB] });
    for (let i = 0; i < 2; i++) {
      expect((await call(sharedA, `${open.basePath}/items/${i}`, key)).status).toBe(200);
      expect((await call(sharedB, `${open.basePath}/items/${i}`, key)).status).toBe(200);
    }
    await syncsAfterNow([sharedA, sharedB], 2);
    await syncsAfterNow([sharedA, sharedB], 2);
    const limited = await call(sharedB, `${open.basePath}/items/9`, key);
    expect(limited.status).toBe(429);
    expect(serviceLimit(limited)).toMatchObject({ policy: 'key-rate', remaining: 0 });
    expect((await call(sharedA, `${open.basePath}/items/9`, key)).status).toBe(429);
    expect(metricValue(await metrics(sharedA), 'gateway_rate_limit_redis_up')).toBe(1);
    expect((await readyBody(sharedA)).body.rateLimit).toMatchObject({ mode: 'redis', redis: 'up' });
  });

  it('keeps serving with local limits when Redis is unreachable, and says so on metrics and readiness', async () => {
    const key = await keyWith({ keyOverrides: { rateLimit: { requestsPerSecond: 0.01, burst: 2 } }, on: [isolated] });
    expect((await call(isolated, `${open.basePath}/items/1`, key)).status).toBe(200);
    expect((await call(isolated, `${open.basePath}/items/2`, key)).status).toBe(200);
    expect((await call(isolated, `${open.basePath}/items/3`, key)).status).toBe(429);

    const text = await metrics(isolated);
    expect(metricValue(text, 'gateway_rate_limit_redis_up')).toBe(0);
    expect(metricValue(text, 'gateway_rate_limit_syncs_total{result="failed"}')).toBeGreaterThan(0);
    const ready = await readyBody(isolated);
    expect(ready.status).toBe(200);
    expect(ready.body.rateLimit).toMatchObject({ mode: 'redis', redis: 'down' });
  });
});

/** The `RateLimit` field of an answer (one service limit item, as the gateway sends it), parsed; null when absent or malformed. */
function serviceLimit(response: { headers: Headers }): { policy: string; remaining: number; windowSeconds: number | null } | null {
  const match = /^"([a-z-]+)";r=(\d+)(?:;t=(\d+))?$/.exec(response.headers.get('ratelimit') ?? '');
  if (match === null) return null;
  return { policy: match[1], remaining: Number(match[2]), windowSeconds: match[3] === undefined ? null : Number(match[3]) };
}
