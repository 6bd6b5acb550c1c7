import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AccessGrant, AccessLogRecord, Envelope, PROBLEM_TYPES, Problem, TOPICS } from '@attest/contracts';
import { buildEnvelope } from '@attest/messaging';
import { AdminClient, TEST_DATABASE_URL, waitFor } from '@attest/testing';
import { accessLogRecord, HARNESS_ADMIN_TOKEN, startUsageIngest, UsageIngestHarness } from '../testing/usage-ingest.harness';
import { UsageRepository } from './usage.repository';
import type { GrantUsageResponse } from './dto/grant-usage.dto';
import type { ApiUsageResponse } from './dto/api-usage.dto';

jest.setTimeout(60_000);

const ADMIN_TOKEN = HARNESS_ADMIN_TOKEN;

describe('usage-ingest: usage per grant from the access log', () => {
  let harness: UsageIngestHarness;
  let baseUrl: string;
  let producer: Producer;

  beforeAll(async () => {
    harness = await startUsageIngest({ databaseUrl: TEST_DATABASE_URL, suite: 'usage_http' });
    baseUrl = harness.baseUrl;
    producer = harness.kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await harness?.close();
  });

  const admin = new AdminClient(() => baseUrl, ADMIN_TOKEN);
  const http = <T = unknown>(path: string, token: string | null = ADMIN_TOKEN) => admin.request<T>('GET', path, { token });

  async function announceGrant(): Promise<AccessGrant> {
    const now = new Date().toISOString();
    const grant: AccessGrant = {
      grantId: randomUUID(),
      principalId: randomUUID(),
      apiId: randomUUID(),
      scopes: ['orders:read'],
      status: 'active',
      createdAt: now,
      updatedAt: now,
    };
    const envelope = buildEnvelope({ topic: TOPICS.accessGrants, subject: grant.grantId, data: grant, source: 'enforcement' });
    await producer.send({ topic: TOPICS.accessGrants, acks: -1, messages: [{ key: grant.grantId, value: JSON.stringify(envelope) }] });
    return grant;
  }

  function accessLog(grant: AccessGrant, keyId: string, overrides: Partial<AccessLogRecord> = {}): Envelope<AccessLogRecord> {
    return buildEnvelope({ topic: TOPICS.accessLog, subject: keyId, data: accessLogRecord(grant, keyId, overrides), source: 'gateway' });
  }

  /** Produced keyed by key id, as the gateway does, so one key's records stay in order on one partition. */
  async function produceAccessLogs(envelopes: Array<Envelope<AccessLogRecord>>): Promise<void> {
    await producer.send({
      topic: TOPICS.accessLog,
      acks: -1,
      messages: envelopes.map((envelope) => ({ key: envelope.subject, value: JSON.stringify(envelope) })),
    });
  }

  async function usageOnceKnown(grantId: string): Promise<GrantUsageResponse> {
    return waitFor(
      async () => {
        const result = await http<GrantUsageResponse>(`/v1/usage/grants/${grantId}`);
        return result.status === 200 ? result.body : false;
      },
      { timeoutMs: 30_000, description: `grant ${grantId} to reach the read model` },
    );
  }

  async function usageReaching(grantId: string, requests: number): Promise<GrantUsageResponse> {
    return waitFor(
      async () => {
        const usage = (await http<GrantUsageResponse>(`/v1/usage/grants/${grantId}`)).body;
        return usage.requests >= requests ? usage : false;
      },
      { timeoutMs: 30_000, description: `grant ${grantId} to show ${requests} requests` },
    );
  }

  it('reports a known grant that was never used as zero requests and no last use', async () => {
    const grant = await announceGrant();
    expect(await usageOnceKnown(grant.grantId)).toEqual({ grantId: grant.grantId, lastUsedAt: null, requests: 0 });
  });

  it('counts granted calls per grant, key, route and UTC day, and keeps the latest use', async () => {
    const grant = await announceGrant();
    await usageOnceKnown(grant.grantId);
    const keyId = randomUUID();
    await produceAccessLogs([
      accessLog(grant, keyId, { at: '2026-03-01T10:00:00.000Z' }),
      accessLog(grant, keyId, { at: '2026-03-02T09:00:00.000Z', route: 'GET /orders' }),
      // Arrives last but happened earlier: the last use must not go back in time.
      accessLog(grant, keyId, { at: '2026-03-01T11:00:00.000Z' }),
      // A denied call under no grant is not the grant's usage.
      accessLog(grant, keyId, { at: '2026-03-03T00:00:00.000Z', outcome: 'forbidden', status: 403, grantId: null }),
      accessLog(grant, keyId, { at: '2026-03-04T08:00:00.000Z' }),
    ]);
    expect(await usageReaching(grant.grantId, 4)).toEqual({
      grantId: grant.grantId,
      lastUsedAt: '2026-03-04T08:00:00.000Z',
      requests: 4,
    });

    const daily = await harness.app.get(DataSource).query(
      `SELECT route, to_char(day, 'YYYY-MM-DD') AS day, requests::int AS requests
       FROM usage_ingest.usage_daily WHERE key_id = $1 AND grant_id = $2 ORDER BY day, route`,
      [keyId, grant.grantId],
    );
    expect(daily).toEqual([
      { route: 'GET /orders/:id', day: '2026-03-01', requests: 2 },
      { route: 'GET /orders', day: '2026-03-02', requests: 1 },
      { route: 'GET /orders/:id', day: '2026-03-04', requests: 1 },
    ]);
  });

  it("reports an API's calls by every authenticated key, denied ones included", async () => {
    const grant = await announceGrant();
    const [keyA, keyB] = [randomUUID(), randomUUID()];
    await produceAccessLogs([
      accessLog(grant, keyA, { at: '2026-04-01T10:00:00.000Z' }),
      accessLog(grant, keyA, { at: '2026-04-02T10:00:00.000Z' }),
      accessLog(grant, keyB, { at: '2026-04-05T10:00:00.000Z', outcome: 'forbidden', status: 403, grantId: null }),
      // An unauthenticated attempt is not a use of the API.
      accessLog(grant, keyB, { at: '2026-04-06T10:00:00.000Z', outcome: 'unauthenticated', status: 401, grantId: null }),
    ]);
    const usage = await waitFor(
      async () => {
        const result = await http<ApiUsageResponse>(`/v1/usage/apis/${grant.apiId}`);
        return result.body.requests >= 3 ? result : false;
      },
      { timeoutMs: 30_000, description: 'API usage from both keys' },
    );
    expect({ status: usage.status, body: usage.body }).toEqual({ status: 200, body: { apiId: grant.apiId, lastUsedAt: '2026-04-05T10:00:00.000Z', requests: 3 } });
  });

  it('answers an API nobody called with no last use and zero requests', async () => {
    const apiId = randomUUID();
    const none = await http(`/v1/usage/apis/${apiId}`);
    expect({ status: none.status, body: none.body }).toEqual({ status: 200, body: { apiId, lastUsedAt: null, requests: 0 } });
  });

  it('answers 400 naming the API id when it is not a uuid', async () => {
    const result = await http<Problem>('/v1/usage/apis/nope');
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => e.field)).toEqual(['apiId']);
  });

  it('adds a whole batch of calls in one statement, bucketing days in UTC', async () => {
    const grantId = randomUUID();
    const keyId = randomUUID();
    const call = { keyId, apiId: randomUUID(), principalId: randomUUID(), grantId };
    const dataSource = harness.app.get(DataSource);
    await dataSource.transaction((tx) =>
      harness.app.get(UsageRepository).recordCalls(tx, {
        calls: [
          { ...call, route: 'GET /a', at: '2026-05-01T10:00:00.000Z' },
          { ...call, route: 'GET /a', at: '2026-05-01T12:00:00.000Z' },
          // 23:30 at UTC-2 is already the next day in UTC.
          { ...call, route: 'GET /a', at: '2026-05-01T23:30:00.000-02:00' },
          { ...call, route: 'GET /b', at: '2026-05-01T08:00:00.000Z' },
        ],
        publishIntervalMs: 60_000,
      }),
    );
    const daily = await dataSource.query(
      `SELECT route, to_char(day, 'YYYY-MM-DD') AS day, requests::int AS requests, last_used_at
       FROM usage_ingest.usage_daily WHERE key_id = $1 ORDER BY day, route`,
      [keyId],
    );
    expect(daily).toEqual([
      { route: 'GET /a', day: '2026-05-01', requests: 2, last_used_at: new Date('2026-05-01T12:00:00.000Z') },
      { route: 'GET /b', day: '2026-05-01', requests: 1, last_used_at: new Date('2026-05-01T08:00:00.000Z') },
      { route: 'GET /a', day: '2026-05-02', requests: 1, last_used_at: new Date('2026-05-02T01:30:00.000Z') },
    ]);
    const [total] = await dataSource.query(
      `SELECT requests::int AS requests, last_used_at FROM usage_ingest.grant_usage WHERE grant_id = $1`,
      [grantId],
    );
    expect(total).toEqual({ requests: 4, last_used_at: new Date('2026-05-02T01:30:00.000Z') });
  });

  it('answers 404 for a grant it has never heard of', async () => {
    const result = await http<Problem>(`/v1/usage/grants/${randomUUID()}`);
    expect(result.status).toBe(404);
    expect(result.body.type).toBe(PROBLEM_TYPES.notFound);
  });

  it('answers 400 naming the grant id when it is not a uuid', async () => {
    const result = await http<Problem>('/v1/usage/grants/not-a-uuid');
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => e.field)).toEqual(['grantId']);
  });

  it('answers 401 without the admin token', async () => {
    const result = await http<Problem>(`/v1/usage/grants/${randomUUID()}`, null);
    expect(result.status).toBe(401);
    expect(result.body.type).toBe(PROBLEM_TYPES.unauthenticated);
  });
});
