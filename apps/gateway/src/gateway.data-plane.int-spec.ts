import { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { AccessLogColumns, accessLogPartition, accessLogRecordsOfColumns, CatalogState, Envelope, GatewayApplied, gatewayAppliedSchema, PROBLEM_TYPES, TOPICS } from '@attest/contracts';
import { ensureTopics } from '@attest/messaging';
import { ServiceProcess, testKafka, waitFor } from '@attest/testing';
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
  TopicTail,
} from './gateway-test.fixtures';
import { PolicyViewService } from './policy/policy-view.service';

jest.setTimeout(180_000);

const PEPPER = `data-plane-int-spec-pepper-${randomUUID()}`;
/** Long enough that stopping the view and the calls "within the budget" fit in it on a loaded machine. */
const STALENESS_BUDGET_MS = 8000;

describe('gateway data plane: denials, API lifecycle, staleness, heartbeats', () => {
  const run = randomUUID().slice(0, 8);
  let kafka: Kafka;
  let producer: Producer;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let heartbeats: TopicTail;
  const gateways: INestApplicationContext[] = [];
  let main: { app: INestApplicationContext; url: string };

  let active: CatalogState;
  let deprecated: CatalogState;
  let announced: CatalogState;
  let retired: CatalogState;
  const sunsetAt = '2031-06-30T23:59:59.000Z';

  const start = async (env: Record<string, string>) => {
    const gateway = await startGateway({ NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEY_PEPPER: PEPPER, PORT: '0', ...env });
    gateways.push(gateway.app);
    await waitFor(async () => (await fetch(`${gateway.url}/health/ready`)).status === 200, { description: 'a gateway ready', timeoutMs: 60_000 });
    return gateway;
  };
  const call = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const ready = async (base: string) => {
    const response = await fetch(`${base}/health/ready`);
    return { status: response.status, body: JSON.parse(await response.text()) as { status: string; view: { freshness: string; caughtUp: boolean } } };
  };
  /** Publishes a key granted on every API of this spec (`applied` waits until gateways know it). */
  const grantedKey = async (options: { keyOverrides?: Parameters<typeof policyState>[0]['keyOverrides']; status?: 'active' | 'suspended' }) => {
    const key = newKey();
    const state = policyState({
      pepper: PEPPER,
      key,
      apiIds: [active.apiId, deprecated.apiId, announced.apiId, retired.apiId],
      keyOverrides: options.keyOverrides,
      status: options.status,
    });
    await publishPolicies(producer, [state]);
    return { key, state };
  };
  /** Waits until a marker key published after everything else works: then everything before it was applied. */
  const applied = async (bases: string[]) => {
    const marker = await grantedKey({});
    for (const base of bases) {
      await waitFor(async () => (await call(base, `${active.basePath}/items/1`, bearer(marker.key))).status === 200, {
        description: 'the marker policy to be applied',
      });
    }
  };

  beforeAll(async () => {
    kafka = testKafka('data-plane-int-spec');
    await ensureTopics(kafka, [TOPICS.policyState, TOPICS.catalogState, TOPICS.accessLogColumns, TOPICS.gatewayApplied]);
    producer = kafka.producer();
    await producer.connect();
    heartbeats = await new TopicTail(kafka, TOPICS.gatewayApplied).start();
    upstream = await startEchoUpstream();
    active = catalogState({ basePath: `/dp-${run}-active`, upstreamUrl: upstream.url });
    deprecated = catalogState({ basePath: `/dp-${run}-deprecated`, upstreamUrl: upstream.url, status: 'deprecated', sunsetAt });
    announced = catalogState({ basePath: `/dp-${run}-announced`, upstreamUrl: upstream.url, sunsetAt });
    retired = catalogState({ basePath: `/dp-${run}-retired`, upstreamUrl: upstream.url, status: 'retired', sunsetAt });
    await publishCatalog(producer, [active, deprecated, announced, retired]);
    main = await start({ GATEWAY_ID: `dp-${run}-main`, HEARTBEAT_INTERVAL_MS: '200' });
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await heartbeats?.stop();
    await producer?.disconnect();
    await upstream?.stop();
  });

  describe('tells denials apart only for the holder of a genuine key', () => {
    let valid: TestKey;
    let expired: TestKey;
    let revoked: TestKey;
    let suspended: TestKey;
    let leaver: TestKey;

    beforeAll(async () => {
      valid = (await grantedKey({})).key;
      expired = (await grantedKey({ keyOverrides: { expiresAt: new Date(Date.now() - 60_000).toISOString() } })).key;
      revoked = (await grantedKey({ keyOverrides: { status: 'revoked' } })).key;
      suspended = (await grantedKey({ keyOverrides: { status: 'suspended' } })).key;
      leaver = (await grantedKey({ status: 'suspended' })).key;
      await applied([main.url]);
    });

    const expectProblem = (result: { status: number; body: string; headers: Headers }, type: string, key: TestKey) => {
      expect(result.status).toBe(401);
      expect(result.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(result.body)).toMatchObject({ type, status: 401 });
      expect(result.body).not.toContain(key.secret);
      expect(result.body).not.toContain(key.prefix);
    };

    it('answers key-expired for a genuine key past its expiry', async () => {
      expectProblem(await call(main.url, `${active.basePath}/items/1`, bearer(expired)), PROBLEM_TYPES.keyExpired, expired);
    });

    it('answers key-revoked for a revoked key, a suspended key, and a key of a principal no longer active', async () => {
      for (const key of [revoked, suspended, leaver]) expectProblem(await call(main.url, `${active.basePath}/items/1`, bearer(key)), PROBLEM_TYPES.keyRevoked, key);
    });

    it('answers the same unauthenticated body for an unknown prefix and for a wrong secret of a real, even expired or revoked, key', async () => {
      const wrongSecret = (key: TestKey) => ({ ...key, raw: `atk_${key.prefix}_${newKey().secret}` });
      const answers = await Promise.all(
        [newKey(), wrongSecret(valid), wrongSecret(expired), wrongSecret(revoked)].map((key) => call(main.url, `${active.basePath}/items/1`, bearer(key))),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(JSON.parse(answer.body).type).toBe(PROBLEM_TYPES.unauthenticated);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="attest"');
      }
      expect(new Set(answers.map((a) => a.body)).size).toBe(1);
      expect((await call(main.url, `${active.basePath}/items/1`, bearer(valid))).status).toBe(200);
    });
  });

  describe('API lifecycle at the edge', () => {
    let key: TestKey;

    beforeAll(async () => {
      key = (await grantedKey({})).key;
      await applied([main.url]);
    });

    it('adds Deprecation and an HTTP-date Sunset to the answers of a deprecated API', async () => {
      const result = await call(main.url, `${deprecated.basePath}/items/1`, bearer(key));
      expect(result.status).toBe(200);
      // The catalog does not say when the API was deprecated, so the field is the boolean form.
      expect(result.headers.get('deprecation')).toBe('true');
      expect(result.headers.get('sunset')).toBe('Mon, 30 Jun 2031 23:59:59 GMT');
    });

    it('announces a planned sunset of an active API without calling it deprecated', async () => {
      const result = await call(main.url, `${announced.basePath}/items/1`, bearer(key));
      expect(result.headers.get('sunset')).toBe('Mon, 30 Jun 2031 23:59:59 GMT');
      expect(result.headers.get('deprecation')).toBeNull();
    });

    it('adds neither to an active API, and answers 410 for a retired one', async () => {
      const result = await call(main.url, `${active.basePath}/items/1`, bearer(key));
      expect(result.headers.get('deprecation')).toBeNull();
      expect(result.headers.get('sunset')).toBeNull();
      const gone = await call(main.url, `${retired.basePath}/items/1`, bearer(key));
      expect(gone.status).toBe(410);
      expect(JSON.parse(gone.body).type).toBe(PROBLEM_TYPES.retired);
    });

    it('starts answering Deprecation once an API is deprecated, without a restart', async () => {
      await publishCatalog(producer, [{ ...active, version: 2, status: 'deprecated', sunsetAt }]);
      const result = await waitFor(
        async () => {
          const answer = await call(main.url, `${active.basePath}/items/1`, bearer(key));
          return answer.headers.get('deprecation') === 'true' && answer;
        },
        { description: 'the deprecation to reach the gateway' },
      );
      expect(result.status).toBe(200);
      await publishCatalog(producer, [{ ...active, version: 3 }]);
    });
  });

  describe('keeps the request id', () => {
    it('propagates a caller id and makes one where there is none', async () => {
      const { key } = await grantedKey({});
      await applied([main.url]);
      const given = await call(main.url, `${active.basePath}/items/1`, { ...bearer(key), 'x-request-id': `dp-${run}-given` });
      expect(given.headers.get('x-request-id')).toBe(`dp-${run}-given`);
      const made = await call(main.url, `${active.basePath}/items/1`, bearer(key));
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const denied = await call(main.url, `${active.basePath}/items/1`, { 'x-request-id': `dp-${run}-denied` });
      expect(denied.headers.get('x-request-id')).toBe(`dp-${run}-denied`);
    });
  });

  describe('publishes heartbeats', () => {
    it('sends GatewayApplied keyed by the gateway id, with the positions it applied', async () => {
      const gatewayId = `dp-${run}-main`;
      // Heartbeats start before the view has caught up (ready: false); the gateway must come to report ready.
      const beats = await waitFor(
        () => {
          const mine = heartbeats.messages.filter((m) => m.key === gatewayId).map((m) => JSON.parse(m.text) as Envelope<GatewayApplied>);
          return mine.length >= 2 && mine[mine.length - 1].data.ready && mine;
        },
        { description: 'two heartbeats of the gateway, the last one ready' },
      );
      const last = beats[beats.length - 1];
      expect(last.type).toBe('gateway.applied');
      const data = gatewayAppliedSchema.parse(last.data);
      expect(data).toMatchObject({ gatewayId, ready: true, lag: expect.any(Number) });
      expect(data.stalenessMs).toBeLessThan(STALENESS_BUDGET_MS);
      const topics = new Set(data.positions.map((p) => p.topic));
      expect(topics).toEqual(new Set([TOPICS.policyState, TOPICS.catalogState]));
      // The positions match what the view reports having applied.
      const live = main.app.get(PolicyViewService).positions();
      for (const position of data.positions) {
        const now = live.find((p) => p.topic === position.topic && p.partition === position.partition);
        expect(BigInt(now!.offset)).toBeGreaterThanOrEqual(BigInt(position.offset));
      }
    });
  });

  describe('when the gateway loses its policy source', () => {
    it('keeps enforcing, then past the budget answers 503 policy-unavailable and fails readiness', async () => {
      const gateway = await start({ GATEWAY_ID: `dp-${run}-stale`, POLICY_STALENESS_BUDGET_MS: String(STALENESS_BUDGET_MS) });
      const granted = (await grantedKey({})).key;
      const revoked = (await grantedKey({ keyOverrides: { status: 'revoked' } })).key;
      await applied([gateway.url]);
      await gateway.app.get(PolicyViewService).stop();

      // Within the budget: the last view is enforced, the revocation included.
      expect((await call(gateway.url, `${active.basePath}/items/1`, bearer(granted))).status).toBe(200);
      expect((await call(gateway.url, `${active.basePath}/items/1`, bearer(revoked))).status).toBe(401);

      const refused = await waitFor(
        async () => {
          const answer = await call(gateway.url, `${active.basePath}/items/1`, bearer(granted));
          return answer.status === 503 && answer;
        },
        { description: 'the gateway to stop trusting its view', timeoutMs: 30_000 },
      );
      expect(JSON.parse(refused.body).type).toBe(PROBLEM_TYPES.policyUnavailable);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      const readiness = await ready(gateway.url);
      expect(readiness.status).toBe(503);
      expect(readiness.body.view).toMatchObject({ caughtUp: true, freshness: 'stale' });
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metricValue(metrics, 'gateway_policy_stale')).toBe(1);
      expect(metricValue(metrics, 'gateway_policy_staleness_seconds')).toBeGreaterThan(STALENESS_BUDGET_MS / 1000);
    });

    it('with STALE_POLICY_MODE=serve, keeps enforcing the last view past the budget and stays ready', async () => {
      const gateway = await start({ GATEWAY_ID: `dp-${run}-serve`, POLICY_STALENESS_BUDGET_MS: String(STALENESS_BUDGET_MS), STALE_POLICY_MODE: 'serve' });
      const granted = (await grantedKey({})).key;
      const revoked = (await grantedKey({ keyOverrides: { status: 'revoked' } })).key;
      await applied([gateway.url]);
      await gateway.app.get(PolicyViewService).stop();

      await waitFor(async () => (await ready(gateway.url)).body.view.freshness === 'stale', {
        description: 'the view to go past its budget',
        timeoutMs: 30_000,
      });
      expect((await ready(gateway.url)).status).toBe(200);
      expect((await call(gateway.url, `${active.basePath}/items/1`, bearer(granted))).status).toBe(200);
      const refused = await call(gateway.url, `${active.basePath}/items/1`, bearer(revoked));
      expect(JSON.parse(refused.body).type).toBe(PROBLEM_TYPES.keyRevoked);
    });
  });

  describe('as a process built for production', () => {
    const mainJs = resolve(__dirname, '..', 'dist', 'main.js');
    let gateway: ServiceProcess | null = null;

    afterAll(async () => {
      await gateway?.stop();
    });

    it('produces access logs from its worker thread, and no log line carries a key', async () => {
      if (!existsSync(mainJs)) throw new Error(`build the gateway first (npx tsc -b apps/gateway/tsconfig.app.json): ${mainJs} is missing`);
      const accessLog = await new TopicTail(kafka, TOPICS.accessLogColumns).start();
      try {
        const gatewayId = `dp-${run}-process`;
        gateway = new ServiceProcess({
          name: 'gateway',
          label: 'data-plane gateway',
          port: await freePort(),
          env: { NODE_ENV: 'production', LOG_LEVEL: 'debug', API_KEY_PEPPER: PEPPER, GATEWAY_ID: gatewayId, ACCESS_LOG_MODE: 'worker' },
        }).start();
        await gateway.waitReady();
        const readiness = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { accessLog: { mode: string } };
        expect(readiness.accessLog.mode).toBe('worker');

        const { key } = await grantedKey({});
        const requestId = `dp-${run}-worker`;
        await waitFor(async () => (await call(gateway!.url, `${active.basePath}/items/5`, { ...bearer(key), 'x-request-id': requestId })).status === 200, {
          description: 'the key to work on the process',
        });
        await call(gateway.url, `${active.basePath}/items/5`, bearer({ raw: `atk_${key.prefix}_${newKey().secret}` }));

        const record = await waitFor(
          // The same request id went out until the key reached the process, so earlier calls were logged as refused.
        () =>
          accessLog.messages
            .map((m) => ({ ...m, envelope: JSON.parse(m.text) as Envelope<AccessLogColumns> }))
            .flatMap((m) => accessLogRecordsOfColumns(m.envelope.data).records.map(({ record: data }) => ({ ...m, data })))
            .find((m) => m.data.requestId === requestId && m.data.outcome === 'allowed'),
          { description: 'the access-log record produced by the worker', timeoutMs: 30_000 },
        );
        // One message per partition's worth of records, in the partition the key id names.
        expect(record.partition).toBe(accessLogPartition(key.keyId));
        expect(record.envelope).toMatchObject({ type: 'gateway.access-columns', source: 'gateway', subject: gatewayId, data: { gatewayId } });
        expect(record.data).toMatchObject({ gatewayId, outcome: 'allowed', status: 200, keyId: key.keyId, route: 'GET /items/:id' });
        await waitFor(() => accessLog.messages.some((m) => m.text.includes(gatewayId) && m.text.includes('"unauthenticated"')), {
          description: 'the refused call to be logged too',
        });
        for (const message of accessLog.messages) expect(message.text).not.toContain(key.secret);

        await gateway.stop();
        expect(gateway.lines.length).toBeGreaterThan(0);
        for (const line of gateway.lines) {
          expect(line).not.toContain(key.secret);
          expect(line).not.toContain(PEPPER);
        }
      } finally {
        await accessLog.stop();
      }
    });
  });
});
