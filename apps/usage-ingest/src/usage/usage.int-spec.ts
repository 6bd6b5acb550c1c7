import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AccessGrant, AccessLogRecord, Envelope, PROBLEM_TYPES, Problem, TOPICS } from '@attest/contracts';
import { buildEnvelope, createKafkaClient, parseBrokers } from '@attest/messaging';
import { TEST_DATABASE_URL, waitFor } from '@attest/testing';
import { UsageRepository } from './usage.repository';
import type { GrantUsageResponse } from './dto/grant-usage.dto';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'usage-ingest-int-spec-admin-token';

interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

describe('usage-ingest: usage per grant from the access log', () => {
  let app: INestApplication;
  let baseUrl: string;
  let producer: Producer;

  beforeAll(async () => {
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    process.env.NODE_ENV = 'test';
    process.env.LOG_LEVEL = 'silent';
    process.env.ATTEST_ADMIN_TOKEN = ADMIN_TOKEN;
    // Imported only now: the module reads its settings from the environment set just above.
    const { AppModule } = await import('../app.module');
    app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

    const kafka = createKafkaClient({
      clientId: 'usage-ingest-int-spec',
      brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  });

  async function http<T = unknown>(path: string, token: string | null = ADMIN_TOKEN): Promise<HttpResult<T>> {
    const response = await fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: (await response.json()) as T };
  }

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
    const record: AccessLogRecord = {
      requestId: randomUUID(),
      at: new Date().toISOString(),
      method: 'GET',
      path: '/orders/v1/orders/42',
      status: 200,
      outcome: 'allowed',
      latencyMs: 2.5,
      apiId: grant.apiId,
      route: 'GET /orders/:id',
      keyId,
      principalId: grant.principalId,
      grantId: grant.grantId,
      gatewayId: 'gw-int-spec',
      ...overrides,
    };
    return buildEnvelope({ topic: TOPICS.accessLog, subject: keyId, data: record, source: 'gateway' });
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

  it('counts granted calls, keeps the latest use, and counts a redelivered record once', async () => {
    const grant = await announceGrant();
    await usageOnceKnown(grant.grantId);
    const keyId = randomUUID();
    const first = accessLog(grant, keyId, { at: '2026-03-01T10:00:00.000Z' });
    await produceAccessLogs([
      first,
      accessLog(grant, keyId, { at: '2026-03-02T09:00:00.000Z', route: 'GET /orders' }),
      // Arrives last but happened earlier: the last use must not go back in time.
      accessLog(grant, keyId, { at: '2026-03-01T11:00:00.000Z' }),
      // A denied call under no grant is not usage.
      accessLog(grant, keyId, { at: '2026-03-03T00:00:00.000Z', outcome: 'forbidden', status: 403, grantId: null }),
    ]);
    expect(await usageReaching(grant.grantId, 3)).toEqual({
      grantId: grant.grantId,
      lastUsedAt: '2026-03-02T09:00:00.000Z',
      requests: 3,
    });

    // The same envelope again, then a fresh one behind it on the same partition: once the fresh
    // one is counted the duplicate has been consumed too, and it must not have added anything.
    await produceAccessLogs([first, accessLog(grant, keyId, { at: '2026-03-04T08:00:00.000Z' })]);
    const afterRedelivery = await usageReaching(grant.grantId, 4);
    expect(afterRedelivery).toEqual({ grantId: grant.grantId, lastUsedAt: '2026-03-04T08:00:00.000Z', requests: 4 });

    const daily = await app.get(DataSource).query(
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

  it('adds a whole batch of calls in one statement, bucketing days in UTC', async () => {
    const grantId = randomUUID();
    const keyId = randomUUID();
    const dataSource = app.get(DataSource);
    await dataSource.transaction((tx) =>
      app.get(UsageRepository).addGrantedCalls(tx, [
        { keyId, grantId, route: 'GET /a', at: '2026-05-01T10:00:00.000Z' },
        { keyId, grantId, route: 'GET /a', at: '2026-05-01T12:00:00.000Z' },
        // 23:30 at UTC-2 is already the next day in UTC.
        { keyId, grantId, route: 'GET /a', at: '2026-05-01T23:30:00.000-02:00' },
        { keyId, grantId, route: 'GET /b', at: '2026-05-01T08:00:00.000Z' },
      ]),
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
