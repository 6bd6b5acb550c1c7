import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  AccessGrant,
  AuditEvent,
  CatalogState,
  Envelope,
  GatewayApplied,
  hashKeySecret,
  parseApiKey,
  PolicyState,
  TOPICS,
  usageLastUsedKey,
} from '@attest/contracts';
import { buildEnvelope, createKafkaClient, parseBrokers } from '@attest/messaging';
import { ensureDatabase } from '@attest/persistence';
import { AdminClient, AdminRequestOptions, HttpResult, ProbedMessage, suiteDatabaseUrl, TopicProbe, waitFor } from '@attest/testing';
import { HeartbeatsConsumer } from './confirmations/heartbeats.consumer';
import { UsageConsumer } from './usage/usage.consumer';
import { startEnforcement } from './testing/enforcement.harness';

/**
 * Keys, API lifecycle, last-use evidence and enforcement confirmations, against real Kafka and
 * Postgres. This enforcement has its own database and consumes only the topics it tests (heartbeats
 * and last-use): identity events and decisions of other suites running at the same time would put
 * their principals in this database, and its reconciler (running here too, every few seconds) would take
 * their states, published from another database, for drift.
 */
const DATABASE_URL = suiteDatabaseUrl('enforcement_data_plane');
const NOT_CONSUMED = new Set<string>([TOPICS.identityEvents, TOPICS.reviewDecisions]);
const ADMIN_TOKEN = `int-admin-${randomUUID()}`;
const PEPPER = `int-pepper-${randomUUID()}`;
const SILENT_AFTER_MS = 4000;
const DAY_MS = 86_400_000;

jest.setTimeout(120_000);

let app: INestApplication;
let baseUrl: string;
let probe: TopicProbe;
let producer: Producer;
let admin: Admin;
let db: DataSource;
const startedAt = new Date();

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  ({ app, baseUrl } = await startEnforcement({
    env: {
      DATABASE_URL,
      ATTEST_ADMIN_TOKEN: ADMIN_TOKEN,
      API_KEY_PEPPER: PEPPER,
      REPLICA_SILENT_AFTER_MS: String(SILENT_AFTER_MS),
      RECONCILE_INTERVAL_MS: '10000',
    },
    notConsumed: NOT_CONSUMED,
  }));
  db = app.get(DataSource);

  const kafka = createKafkaClient({ clientId: 'enforcement-data-plane-int-spec', brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') });
  probe = await new TopicProbe(kafka, [TOPICS.policyState, TOPICS.catalogState, TOPICS.accessGrants, TOPICS.auditEvents]).start();
  producer = kafka.producer();
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await producer?.disconnect();
  await probe?.stop();
  await app?.close();
});

const client = new AdminClient(() => baseUrl, ADMIN_TOKEN);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const http = <T = any>(method: string, path: string, options?: AdminRequestOptions) => client.request<T>(method, path, options);
const created = <T = { id: string }>(path: string, body: unknown) => client.created<T>(path, body);

function fieldsOf(result: HttpResult<{ errors?: Array<{ field: string }> }>): string[] {
  return (result.body.errors ?? []).map((error) => error.field);
}

function apiBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Payments',
    basePath: `/dp-${randomUUID().slice(0, 8)}`,
    upstreamUrl: 'http://127.0.0.1:9',
    ownerEmail: 'payments-owner@example.com',
    routes: [
      { method: 'GET', path: '/charges', scope: 'charges:read' },
      { method: 'POST', path: '/charges', scope: 'charges:write' },
    ],
    ...overrides,
  };
}

async function newApi(overrides: Record<string, unknown> = {}): Promise<string> {
  return (await created('/v1/apis', apiBody(overrides))).id;
}

async function newPrincipal(email = `svc.${randomUUID().slice(0, 8)}@example.com`): Promise<string> {
  return (await created('/v1/principals', { type: 'service', displayName: `svc-${randomUUID()}`, email })).id;
}

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
}

function messages(topic: string, key: string): ProbedMessage[] {
  return probe.where((message) => message.topic === topic && message.key === key);
}

function policies(principalId: string): PolicyState[] {
  return messages(TOPICS.policyState, principalId).map((message) => (message.value as Envelope<PolicyState>).data);
}

function catalogStates(apiId: string): CatalogState[] {
  return messages(TOPICS.catalogState, apiId).map((message) => (message.value as Envelope<CatalogState>).data);
}

function audits(targetId: string): AuditEvent[] {
  return messages(TOPICS.auditEvents, targetId).map((message) => (message.value as Envelope<AuditEvent>).data);
}

async function policyWhere(principalId: string, description: string, predicate: (policy: PolicyState) => boolean): Promise<PolicyState> {
  return waitFor(() => policies(principalId).find(predicate), { timeoutMs: 30_000, description });
}

/** Where the policy of the given version landed, as the probe saw it. */
async function policyMessage(principalId: string, version: number): Promise<ProbedMessage> {
  return waitFor(
    () => messages(TOPICS.policyState, principalId).find((message) => (message.value as Envelope<PolicyState>).data.version === version),
    { timeoutMs: 30_000, description: `policy ${version} of ${principalId} on the topic` },
  );
}

/** Publishes a last-use record as usage-ingest would; returns where it landed. */
async function produceUsage(input: {
  keyId: string;
  principalId: string;
  apiId: string;
  grantId?: string | null;
  lastUsedAt: Date;
  requests?: number;
}): Promise<{ partition: number; offset: string }> {
  const data = {
    keyId: input.keyId,
    principalId: input.principalId,
    apiId: input.apiId,
    grantId: input.grantId ?? null,
    lastUsedAt: input.lastUsedAt.toISOString(),
    requests: input.requests ?? 1,
  };
  const key = usageLastUsedKey(data);
  const envelope = buildEnvelope({ topic: TOPICS.usageLastUsed, subject: key, source: 'usage-ingest', data });
  const [landed] = await producer.send({ topic: TOPICS.usageLastUsed, acks: -1, messages: [{ key, value: JSON.stringify(envelope) }] });
  return { partition: landed.partition, offset: landed.baseOffset! };
}

/**
 * Waits until this instance's last-use consumer has stored a position (committed with its effects)
 * past the record. Only its own group counts: groups of earlier runs, against an earlier broker
 * whose offsets started again at 0, may have stored positions far past it.
 */
async function consumed(record: { partition: number; offset: string }): Promise<void> {
  const consumer = app.get(UsageConsumer).consumer.groupId;
  await waitFor(
    async () => {
      const rows: unknown[] = await db.query(
        `SELECT 1 FROM enforcement.consumer_positions WHERE consumer = $1 AND topic = $2 AND partition = $3 AND next_offset > $4`,
        [consumer, TOPICS.usageLastUsed, record.partition, record.offset],
      );
      return rows.length > 0;
    },
    { timeoutMs: 30_000, description: `last-use record at ${record.partition}:${record.offset} applied` },
  );
}

async function heartbeat(input: { gatewayId: string; at?: Date; positions: GatewayApplied['positions']; ready?: boolean }): Promise<Date> {
  const at = input.at ?? new Date();
  const envelope = buildEnvelope({
    topic: TOPICS.gatewayApplied,
    subject: input.gatewayId,
    source: 'gateway',
    data: {
      gatewayId: input.gatewayId,
      startedAt: new Date(at.getTime() - 60_000).toISOString(),
      at: at.toISOString(),
      ready: input.ready ?? true,
      stalenessMs: 12,
      lag: 0,
      positions: input.positions,
    },
  });
  await producer.send({ topic: TOPICS.gatewayApplied, acks: -1, messages: [{ key: input.gatewayId, value: JSON.stringify(envelope) }] });
  return at;
}

interface ReplicaView {
  gatewayId: string;
  lastSeenAt: string;
  ready: boolean;
  lag: number;
  stalenessMs: number;
  state: 'live' | 'silent';
}

async function replica(gatewayId: string): Promise<ReplicaView | undefined> {
  const status = await http<{ replicas: ReplicaView[] }>('GET', '/v1/policy/status');
  return status.body.replicas.find((r) => r.gatewayId === gatewayId);
}

async function replicaSeenAt(gatewayId: string, at: Date): Promise<ReplicaView> {
  return waitFor(
    async () => {
      const found = await replica(gatewayId);
      return found?.lastSeenAt === at.toISOString() ? found : undefined;
    },
    { timeoutMs: 30_000, description: `heartbeat of ${gatewayId} at ${at.toISOString()} taken in` },
  );
}

interface ChangeView {
  eventId: string;
  version: number;
  publishedAt: string | null;
  enforcedAt: string | null;
}

async function policyChanges(principalId: string): Promise<ChangeView[]> {
  const result = await http<{ items: ChangeView[] }>('GET', `/v1/policy/changes?principalId=${principalId}`);
  expect(result.status).toBe(200);
  return result.body.items;
}

async function metricsText(): Promise<string> {
  return (await http('GET', '/metrics', { token: null })).text;
}

describe('enforcement data plane', () => {
  describe('keys', () => {
    it('creates a key with an owner, an expiry, narrowing and limits, and publishes them in the policy', async () => {
      const apiId = await newApi();
      const principalId = await newPrincipal();
      const expiresAt = new Date(Date.now() + 7 * DAY_MS).toISOString();
      const key = await created<CreatedKey>('/v1/keys', {
        principalId,
        name: 'billing-batch',
        owner: 'team-billing@example.com',
        expiresAt,
        apiIds: [apiId],
        scopes: ['charges:read'],
        rateLimit: { requestsPerSecond: 5, burst: 10 },
        quota: { perDay: 1000 },
      });
      const secret = parseApiKey(key.key)!.secret;

      const policy = await policyWhere(principalId, 'policy with the key', (p) => p.keys.some((k) => k.keyId === key.id));
      expect(policy.keys).toEqual([
        {
          keyId: key.id,
          prefix: key.prefix,
          secretHash: hashKeySecret(PEPPER, secret),
          status: 'active',
          expiresAt: new Date(expiresAt).toISOString(),
          apiIds: [apiId],
          scopes: ['charges:read'],
          rateLimit: { requestsPerSecond: 5, burst: 10 },
          quota: { perDay: 1000, perMonth: null },
        },
      ]);

      const listed = await http('GET', `/v1/keys?principalId=${principalId}`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          id: key.id,
          prefix: key.prefix,
          name: 'billing-batch',
          owner: 'team-billing@example.com',
          status: 'active',
          expiresAt: new Date(expiresAt).toISOString(),
          apiIds: [apiId],
          scopes: ['charges:read'],
          lastUsedAt: null,
        }),
      ]);
      expect(listed.text).not.toContain(secret);
      expect(listed.text).not.toContain(hashKeySecret(PEPPER, secret));
      expect(listed.text).not.toContain('secretHash');
    });

    it("defaults a key's owner to its principal's e-mail", async () => {
      const principalId = await newPrincipal('owner.default@example.com');
      const key = await created<CreatedKey>('/v1/keys', { principalId, name: 'ci' });
      const listed = await http('GET', `/v1/keys?principalId=${principalId}`);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: key.id, owner: 'owner.default@example.com', apiIds: null, scopes: null })]);
    });

    it('refuses an expiry in the past or malformed, naming the field', async () => {
      const principalId = await newPrincipal();
      for (const expiresAt of [new Date(Date.now() - 60_000).toISOString(), 'next tuesday']) {
        const result = await http('POST', '/v1/keys', { body: { principalId, name: 'ci', expiresAt } });
        expect(result.status).toBe(400);
        expect(fieldsOf(result)).toEqual(['expiresAt']);
      }
      expect(policies(principalId).flatMap((p) => p.keys)).toEqual([]);
    });

    it('refuses narrowing to unknown or retired APIs, and to scopes those APIs do not route', async () => {
      const principalId = await newPrincipal();
      const apiId = await newApi();
      const unknownApi = randomUUID();

      const unknown = await http('POST', '/v1/keys', { body: { principalId, name: 'k', apiIds: [apiId, unknownApi] } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.detail).toContain(`apiIds.1: no API with id ${unknownApi}`);

      const otherApi = await newApi({ routes: [{ method: 'GET', path: '/refunds', scope: 'refunds:read' }] });
      const foreignScope = await http('POST', '/v1/keys', { body: { principalId, name: 'k', apiIds: [apiId], scopes: ['refunds:read'] } });
      expect(foreignScope.status).toBe(400);
      expect(foreignScope.body.detail).toContain('scopes.0: scope refunds:read is not routed by the APIs the key is narrowed to');
      expect(await created('/v1/keys', { principalId, name: 'k', apiIds: [apiId, otherApi], scopes: ['refunds:read'] })).toHaveProperty('id');

      const nowhere = await http('POST', '/v1/keys', { body: { principalId, name: 'k', scopes: [`nope-${randomUUID()}`] } });
      expect(nowhere.status).toBe(400);
      expect(nowhere.body.detail).toContain('is not routed by any API in the catalog');

      const malformed = await http('POST', '/v1/keys', { body: { principalId, name: 'k', apiIds: ['not-a-uuid'], scopes: [] } });
      expect(malformed.status).toBe(400);
      expect(fieldsOf(malformed).sort()).toEqual(['apiIds.0', 'scopes']);

      await http('POST', `/v1/apis/${otherApi}/retire`, { body: { reason: 'replaced' } });
      const retired = await http('POST', '/v1/keys', { body: { principalId, name: 'k', apiIds: [otherApi] } });
      expect(retired.status).toBe(400);
      expect(retired.body.detail).toContain(`API ${otherApi} is retired`);
    });

    it('rotates a key: a new key with the same name, owner, narrowing and limits; the old one only until the grace ends', async () => {
      const apiId = await newApi();
      const principalId = await newPrincipal();
      const farExpiry = new Date(Date.now() + 30 * DAY_MS);
      const old = await created<CreatedKey>('/v1/keys', {
        principalId,
        name: 'deployer',
        owner: 'deploy@example.com',
        expiresAt: farExpiry.toISOString(),
        apiIds: [apiId],
        scopes: ['charges:write'],
        rateLimit: { requestsPerSecond: 2, burst: 4 },
        quota: { perMonth: 50_000 },
      });
      const before = await policyWhere(principalId, 'policy with the old key', (p) => p.keys.some((k) => k.keyId === old.id));

      const requestedAt = Date.now();
      const rotated = await http<CreatedKey>('POST', `/v1/keys/${old.id}/rotate`, { body: { graceSeconds: 3600 } });
      expect(rotated.status).toBe(201);
      const fresh = rotated.body;
      expect(fresh.id).not.toBe(old.id);
      expect(fresh.prefix).not.toBe(old.prefix);
      expect(parseApiKey(fresh.key)!.prefix).toBe(fresh.prefix);

      const after = await policyWhere(principalId, 'policy with both keys', (p) => p.version > before.version);
      expect(after.version).toBe(before.version + 1);
      const oldKey = after.keys.find((k) => k.keyId === old.id)!;
      const newKey = after.keys.find((k) => k.keyId === fresh.id)!;
      // The old key stays active until its expiry, which the grace moved from 30 days to about an hour.
      expect(oldKey.status).toBe('active');
      const graceEnd = Date.parse(oldKey.expiresAt!);
      expect(graceEnd).toBeGreaterThanOrEqual(requestedAt + 3600_000 - 1000);
      expect(graceEnd).toBeLessThanOrEqual(Date.now() + 3600_000);
      expect(newKey).toEqual({
        keyId: fresh.id,
        prefix: fresh.prefix,
        secretHash: hashKeySecret(PEPPER, parseApiKey(fresh.key)!.secret),
        status: 'active',
        expiresAt: null,
        apiIds: [apiId],
        scopes: ['charges:write'],
        rateLimit: { requestsPerSecond: 2, burst: 4 },
        quota: { perDay: null, perMonth: 50_000 },
      });

      const listed = await http('GET', `/v1/keys?principalId=${principalId}`);
      expect(listed.body.items).toEqual([
        expect.objectContaining({ id: old.id, status: 'active', replacedBy: fresh.id, expiresAt: oldKey.expiresAt }),
        expect.objectContaining({ id: fresh.id, name: 'deployer', owner: 'deploy@example.com', status: 'active', rotatedFrom: old.id }),
      ]);
      await waitFor(() => audits(old.id).find((a) => a.action === 'key.rotated' && a.actor === 'admin' && a.details.newKeyId === fresh.id), {
        description: 'rotation audited',
      });

      // The old key was rotated once; rotating it again would fork the chain.
      const again = await http('POST', `/v1/keys/${old.id}/rotate`, { body: { graceSeconds: 60 } });
      expect(again.status).toBe(409);
      expect(again.body.detail).toContain(`already rotated to ${fresh.id}`);
      expect(JSON.stringify(probe.messages)).not.toContain(parseApiKey(fresh.key)!.secret);
    });

    it('rotating with no grace ends the old key at once: listed expired, and never extended past its own expiry', async () => {
      const principalId = await newPrincipal();
      const soon = new Date(Date.now() + 120_000);
      const short = await created<CreatedKey>('/v1/keys', { principalId, name: 'short', expiresAt: soon.toISOString() });
      const longGrace = await http<CreatedKey>('POST', `/v1/keys/${short.id}/rotate`, { body: { graceSeconds: 86_400 } });
      expect(longGrace.status).toBe(201);
      // A day of grace cannot outlive the two minutes the key had left.
      const graced = await policyWhere(principalId, 'policy after the first rotation', (p) => p.keys.length === 2);
      expect(graced.keys.find((k) => k.keyId === short.id)!.expiresAt).toBe(soon.toISOString());

      const ended = await http<CreatedKey>('POST', `/v1/keys/${longGrace.body.id}/rotate`, { body: { graceSeconds: 0 } });
      expect(ended.status).toBe(201);
      const policy = await policyWhere(principalId, 'policy after the second rotation', (p) => p.keys.length === 3);
      expect(Date.parse(policy.keys.find((k) => k.keyId === longGrace.body.id)!.expiresAt!)).toBeLessThanOrEqual(Date.now());
      const listed = await http('GET', `/v1/keys?principalId=${principalId}`);
      expect(listed.body.items.find((k: { id: string }) => k.id === longGrace.body.id).status).toBe('expired');
      expect(listed.body.items.find((k: { id: string }) => k.id === ended.body.id).status).toBe('active');
    });

    it('refuses to rotate a revoked or unknown key, and a bad grace', async () => {
      const principalId = await newPrincipal();
      const key = await created<CreatedKey>('/v1/keys', { principalId, name: 'k' });
      for (const graceSeconds of [-1, 1.5, 'soon', 31 * 86_400]) {
        const bad = await http('POST', `/v1/keys/${key.id}/rotate`, { body: { graceSeconds } });
        expect(bad.status).toBe(400);
        expect(fieldsOf(bad)).toEqual(['graceSeconds']);
      }
      expect((await http('POST', `/v1/keys/${randomUUID()}/rotate`, { body: { graceSeconds: 60 } })).status).toBe(404);
      expect((await http('DELETE', `/v1/keys/${key.id}`)).status).toBe(204);
      const revoked = await http('POST', `/v1/keys/${key.id}/rotate`, { body: { graceSeconds: 60 } });
      expect(revoked.status).toBe(409);
      expect(revoked.body.type).toBe('https://attest.dev/problems/conflict');
    });
  });

  describe('API lifecycle', () => {
    it('publishes limits on create and republishes a patch under a new version; a patch that changes nothing publishes nothing', async () => {
      const apiId = await newApi({ rateLimit: { requestsPerSecond: 100, burst: 200 } });
      const first = await waitFor(() => catalogStates(apiId)[0], { description: 'first catalog state' });
      expect(first).toMatchObject({ version: 1, rateLimit: { requestsPerSecond: 100, burst: 200 }, quota: null });

      const patched = await http('PATCH', `/v1/apis/${apiId}`, {
        body: { quota: { perDay: 10_000, perMonth: 200_000 }, ownerEmail: 'new-owner@example.com', upstreamUrl: 'http://127.0.0.1:10' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ version: 2, ownerEmail: 'new-owner@example.com', quota: { perDay: 10_000, perMonth: 200_000 } });
      const second = await waitFor(() => catalogStates(apiId).find((s) => s.version === 2), { description: 'patched catalog state' });
      expect(second).toMatchObject({ upstreamUrl: 'http://127.0.0.1:10', rateLimit: { requestsPerSecond: 100, burst: 200 }, quota: { perDay: 10_000, perMonth: 200_000 } });

      const cleared = await http('PATCH', `/v1/apis/${apiId}`, { body: { rateLimit: null } });
      expect(cleared.body).toMatchObject({ version: 3, rateLimit: null });
      const same = await http('PATCH', `/v1/apis/${apiId}`, { body: { quota: { perMonth: 200_000, perDay: 10_000 } } });
      expect(same.body.version).toBe(3);
      await waitFor(() => catalogStates(apiId).find((s) => s.version === 3 && s.rateLimit === null), { description: 'cleared limit published' });
      await waitFor(() => audits(apiId).find((a) => a.action === 'api.updated'), { description: 'update audited' });
    });

    it('refuses a bad patch naming the field, an empty patch, and answers 404 for an unknown API', async () => {
      const apiId = await newApi();
      const bad = await http('PATCH', `/v1/apis/${apiId}`, { body: { rateLimit: { requestsPerSecond: 0, burst: 1 } } });
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad)).toEqual(['rateLimit.requestsPerSecond']);
      const quota = await http('PATCH', `/v1/apis/${apiId}`, { body: { quota: { perDay: 10, perMonth: 5 } } });
      expect(fieldsOf(quota)).toEqual(['quota.perDay']);
      expect((await http('PATCH', `/v1/apis/${apiId}`, { body: {} })).status).toBe(400);
      expect((await http('PATCH', `/v1/apis/${apiId}`, { body: { basePath: '/elsewhere' } })).status).toBe(400);
      expect((await http('PATCH', `/v1/apis/${randomUUID()}`, { body: { ownerEmail: 'x@example.com' } })).status).toBe(404);
    });

    it('deprecates an API with a sunset date, published for the gateway', async () => {
      const apiId = await newApi();
      const sunsetAt = new Date(Date.now() + 90 * DAY_MS).toISOString();
      const result = await http('POST', `/v1/apis/${apiId}/deprecate`, { body: { sunsetAt } });
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ status: 'deprecated', sunsetAt, version: 2 });
      expect(result.body.deprecatedAt).not.toBeNull();
      const state = await waitFor(() => catalogStates(apiId).find((s) => s.status === 'deprecated'), { description: 'deprecated state' });
      expect(state).toMatchObject({ version: 2, sunsetAt });
      await waitFor(() => audits(apiId).find((a) => a.action === 'api.deprecated' && a.details.sunsetAt === sunsetAt), {
        description: 'deprecation audited',
      });

      const past = await http('POST', `/v1/apis/${apiId}/deprecate`, { body: { sunsetAt: '2001-01-01T00:00:00Z' } });
      expect(past.status).toBe(400);
      expect(fieldsOf(past)).toEqual(['sunsetAt']);
    });

    it('lists the consumers still calling an API: recent callers with their owners and principals, not old ones', async () => {
      const apiId = await newApi({ ownerEmail: 'api-owner@example.com' });
      const alice = await newPrincipal('alice@example.com');
      const bob = await newPrincipal('bob@example.com');
      const recent = await created<CreatedKey>('/v1/keys', { principalId: alice, name: 'alice-app', owner: 'alice-team@example.com' });
      const stale = await created<CreatedKey>('/v1/keys', { principalId: bob, name: 'bob-app' });
      const lastUsedAt = new Date(Date.now() - 2 * DAY_MS);
      await consumed(await produceUsage({ keyId: recent.id, principalId: alice, apiId, lastUsedAt, requests: 42 }));
      await consumed(await produceUsage({ keyId: stale.id, principalId: bob, apiId, lastUsedAt: new Date(Date.now() - 60 * DAY_MS) }));
      await http('POST', `/v1/apis/${apiId}/deprecate`, { body: { sunsetAt: new Date(Date.now() + 30 * DAY_MS).toISOString() } });

      const consumers = (await http('GET', `/v1/apis/${apiId}/consumers`)).body;
      expect(consumers).toMatchObject({ apiId, status: 'deprecated', owner: { email: 'api-owner@example.com' } });
      expect(consumers.consumers).toEqual([
        {
          keyId: recent.id,
          prefix: recent.prefix,
          keyName: 'alice-app',
          keyOwner: 'alice-team@example.com',
          keyStatus: 'active',
          principal: { id: alice, displayName: expect.any(String), email: 'alice@example.com' },
          lastUsedAt: lastUsedAt.toISOString(),
          requests: 42,
        },
      ]);
      expect(consumers.contacts).toEqual(['api-owner@example.com', 'alice-team@example.com']);

      // A longer window reaches the old caller too.
      const longer = await http('GET', `/v1/apis/${apiId}/consumers?days=90`);
      expect(longer.body.consumers.map((c: { keyId: string }) => c.keyId)).toEqual([recent.id, stale.id]);
      expect((await http('GET', `/v1/apis/${randomUUID()}/consumers`)).status).toBe(404);
    });

    it('lists APIs without traffic in N days: never called and older than N days, or last called before', async () => {
      const principalId = await newPrincipal();
      const key = await created<CreatedKey>('/v1/keys', { principalId, name: 'k' });
      const busy = await newApi();
      const quiet = await newApi();
      const neverOld = await newApi();
      const neverNew = await newApi();
      await db.query(`UPDATE enforcement.apis SET created_at = now() - interval '100 days' WHERE id = ANY($1::uuid[])`, [[busy, quiet, neverOld]]);
      await consumed(await produceUsage({ keyId: key.id, principalId, apiId: busy, lastUsedAt: new Date(Date.now() - DAY_MS) }));
      const quietSince = new Date(Date.now() - 45 * DAY_MS);
      await consumed(await produceUsage({ keyId: key.id, principalId, apiId: quiet, lastUsedAt: quietSince }));

      const result = await http('GET', '/v1/apis/unused?days=30');
      expect(result.status).toBe(200);
      const ids = result.body.items.map((item: { id: string }) => item.id);
      expect(ids).toContain(quiet);
      expect(ids).toContain(neverOld);
      expect(ids).not.toContain(busy);
      expect(ids).not.toContain(neverNew);
      expect(result.body.items.find((item: { id: string }) => item.id === quiet).lastUsedAt).toBe(quietSince.toISOString());
      expect(result.body.items.find((item: { id: string }) => item.id === neverOld).lastUsedAt).toBeNull();

      const bad = await http('GET', '/v1/apis/unused?days=soon');
      expect(bad.status).toBe(400);
      expect(fieldsOf(bad)).toEqual(['days']);
    });

    it('retires an API: 410 status published, keys narrowed only to it revoked, grants on it closed, policies recompiled, audited', async () => {
      const apiId = await newApi();
      const otherApi = await newApi();
      const holder = await newPrincipal();
      const otherHolder = await newPrincipal();
      const onlyHere = await created<CreatedKey>('/v1/keys', { principalId: holder, name: 'only-here', apiIds: [apiId] });
      const alsoElsewhere = await created<CreatedKey>('/v1/keys', { principalId: holder, name: 'both', apiIds: [apiId, otherApi] });
      const anywhere = await created<CreatedKey>('/v1/keys', { principalId: holder, name: 'anywhere' });
      const grantHere = await created('/v1/grants', { principalId: holder, apiId, scopes: ['charges:read'] });
      const grantElsewhere = await created('/v1/grants', { principalId: holder, apiId: otherApi, scopes: ['charges:read'] });
      const otherGrant = await created('/v1/grants', { principalId: otherHolder, apiId, scopes: ['charges:write'] });
      const before = await policyWhere(holder, 'policy with both grants and three keys', (p) => p.grants.length === 2 && p.keys.length === 3);

      const retired = await http('POST', `/v1/apis/${apiId}/retire`, { body: { reason: 'replaced by payments v2' } });
      expect(retired.status).toBe(200);
      expect(retired.body.api).toMatchObject({ id: apiId, status: 'retired', retireReason: 'replaced by payments v2' });
      expect(retired.body.revokedKeyIds).toEqual([onlyHere.id]);
      expect([...retired.body.closedGrantIds].sort()).toEqual([grantHere.id, otherGrant.id].sort());
      expect(retired.body.recompiledPrincipalIds).toEqual([holder, otherHolder].sort());

      const catalog = await waitFor(() => catalogStates(apiId).find((s) => s.status === 'retired'), { description: 'retired state' });
      expect(catalog.version).toBe(2);
      const after = await policyWhere(holder, 'policy after the retirement', (p) => p.version > before.version);
      expect(after.version).toBe(before.version + 1);
      expect(after.grants).toEqual([{ grantId: grantElsewhere.id, apiId: otherApi, scopes: ['charges:read'] }]);
      expect(Object.fromEntries(after.keys.map((k) => [k.keyId, k.status]))).toEqual({
        [onlyHere.id]: 'revoked',
        [alsoElsewhere.id]: 'active',
        [anywhere.id]: 'active',
      });
      await policyWhere(otherHolder, 'policy of the other holder without the grant', (p) => p.grants.length === 0 && p.version > 1);
      for (const grantId of [grantHere.id, otherGrant.id]) {
        await waitFor(
          () => messages(TOPICS.accessGrants, grantId).find((m) => (m.value as Envelope<AccessGrant>).data.status === 'revoked'),
          { description: `closed grant ${grantId} announced` },
        );
        expect((await http('GET', `/v1/grants/${grantId}`)).body.status).toBe('revoked');
      }

      const audit = await waitFor(() => audits(apiId).find((a) => a.action === 'api.retired'), { description: 'retirement audited' });
      expect(audit).toMatchObject({ actor: 'admin', reason: 'replaced by payments v2' });
      expect(Date.parse(audit.details.retiredAt as string)).toBeGreaterThan(startedAt.getTime());
      expect(audit.details).toMatchObject({ revokedKeyIds: [onlyHere.id] });
      await waitFor(() => audits(onlyHere.id).find((a) => a.action === 'key.revoked' && a.reason === 'replaced by payments v2'), {
        description: 'key revocation audited',
      });

      // Nothing reaches a retired API any more.
      expect((await http('POST', `/v1/apis/${apiId}/retire`, { body: { reason: 'again' } })).status).toBe(409);
      const grant = await http('POST', '/v1/grants', { body: { principalId: holder, apiId, scopes: ['charges:read'] } });
      expect(grant.status).toBe(409);
      expect(grant.body.detail).toContain('retired');
      expect((await http('PATCH', `/v1/apis/${apiId}`, { body: { ownerEmail: 'x@example.com' } })).status).toBe(409);
      expect((await http('POST', `/v1/apis/${apiId}/deprecate`, { body: { sunsetAt: new Date(Date.now() + DAY_MS).toISOString() } })).status).toBe(409);
      expect((await http('POST', `/v1/apis/${apiId}/retire`, { body: { reason: '' } })).status).toBe(400);
      expect((await http('POST', `/v1/apis/${randomUUID()}/retire`, { body: { reason: 'x' } })).status).toBe(404);
    });
  });

  describe('last-use evidence', () => {
    it("lists a principal's keys and grants with their last-used times from usage.last-used.v1", async () => {
      const apiId = await newApi();
      const principalId = await newPrincipal();
      const key = await created<CreatedKey>('/v1/keys', { principalId, name: 'k' });
      const unused = await created<CreatedKey>('/v1/keys', { principalId, name: 'unused' });
      const grant = await created('/v1/grants', { principalId, apiId, scopes: ['charges:read'] });
      const lastUsedAt = new Date(Date.now() - 3_600_000);
      await produceUsage({ keyId: key.id, principalId, apiId, grantId: grant.id, lastUsedAt: new Date(lastUsedAt.getTime() - 60_000), requests: 5 });
      await produceUsage({ keyId: key.id, principalId, apiId, grantId: grant.id, lastUsedAt, requests: 7 });
      // An older record arriving late (a redelivery or reordering) never moves last use back.
      await consumed(
        await produceUsage({ keyId: key.id, principalId, apiId, grantId: grant.id, lastUsedAt: new Date(lastUsedAt.getTime() - 120_000), requests: 3 }),
      );

      const latest = (await http('GET', `/v1/principals/${principalId}/access`)).body;
      expect(latest.principal).toMatchObject({ id: principalId, status: 'active' });
      expect(latest.lastUsedAt).toBe(lastUsedAt.toISOString());
      expect(latest.keys.find((k: { id: string }) => k.id === unused.id)).toMatchObject({ lastUsedAt: null, apis: [] });
      expect(latest.keys.find((k: { id: string }) => k.id === key.id)).toMatchObject({
        lastUsedAt: lastUsedAt.toISOString(),
        apis: [{ apiId, lastUsedAt: lastUsedAt.toISOString(), requests: 7 }],
      });
      expect(latest.grants).toEqual([expect.objectContaining({ id: grant.id, lastUsedAt: lastUsedAt.toISOString() })]);
      expect((await http('GET', `/v1/grants/${grant.id}`)).body.lastUsedAt).toBe(lastUsedAt.toISOString());
      expect((await http('GET', `/v1/keys?principalId=${principalId}`)).body.items.find((k: { id: string }) => k.id === key.id).lastUsedAt).toBe(
        lastUsedAt.toISOString(),
      );
      expect((await http('GET', `/v1/principals/${randomUUID()}/access`)).status).toBe(404);
    });
  });

  describe('enforcement confirmations', () => {
    /** A gateway replica as enforcement sees it: a heartbeat about every second with what it has applied. */
    class FakeReplica {
      readonly gatewayId = `int-gw-${randomUUID().slice(0, 8)}`;
      private timer: NodeJS.Timeout | null = null;
      private sending: Promise<unknown> = Promise.resolve();
      /** When the first heartbeat carrying the current positions was sent. */
      firstSentAt: Date | null = null;

      constructor(private positions: GatewayApplied['positions']) {}

      async start(): Promise<void> {
        await this.beat();
        this.timer = setInterval(() => void this.beat(), 1000);
      }

      /** Reports new positions from the next heartbeat on, sent at once. */
      async report(positions: GatewayApplied['positions']): Promise<Date> {
        this.positions = positions;
        this.firstSentAt = null;
        await this.beat();
        return this.firstSentAt!;
      }

      async stop(): Promise<void> {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        await this.sending;
      }

      private beat(): Promise<unknown> {
        this.sending = this.sending.then(async () => {
          const positions = this.positions;
          const at = await heartbeat({ gatewayId: this.gatewayId, positions });
          // A heartbeat already on its way when `report` changed the positions carried the old ones.
          if (positions === this.positions) this.firstSentAt ??= at;
        });
        return this.sending;
      }
    }

    async function policyEnds(): Promise<GatewayApplied['positions']> {
      const ends = await admin.fetchTopicOffsets(TOPICS.policyState);
      return ends.map((end) => ({ topic: TOPICS.policyState, partition: end.partition, offset: end.high }));
    }

    function past(positions: GatewayApplied['positions'], message: ProbedMessage): GatewayApplied['positions'] {
      return positions.map((p) => (p.partition === message.partition ? { ...p, offset: String(BigInt(message.offset) + 1n) } : p));
    }

    /** Waits until a heartbeat of the replica sent at or after `since` was taken in. */
    async function takenIn(gateway: FakeReplica, since: Date): Promise<void> {
      await waitFor(async () => Date.parse((await replica(gateway.gatewayId))?.lastSeenAt ?? '0') >= since.getTime(), {
        timeoutMs: 30_000,
        description: `heartbeat of ${gateway.gatewayId} since ${since.toISOString()} taken in`,
      });
    }

    it('records when every live replica had applied a policy change, not before the last one has', async () => {
      // Both replicas report positions from before the change exists, so neither has applied it.
      const behind = await policyEnds();
      const a = new FakeReplica(behind);
      const b = new FakeReplica(behind);
      try {
        await a.start();
        await b.start();
        await takenIn(b, new Date(Date.now() - 1000));

        const principalId = await newPrincipal();
        const change = await policyMessage(principalId, 1);
        const eventId = (change.value as Envelope<PolicyState>).id;

        // A has applied it, B not yet: not enforced, however long B keeps confirming only older records.
        const aCaughtUp = await a.report(past(behind, change));
        await takenIn(a, aCaughtUp);
        await takenIn(b, new Date(Date.now() + 1));
        const pending = await policyChanges(principalId);
        expect(pending).toEqual([expect.objectContaining({ eventId, version: 1, enforcedAt: null })]);
        expect(pending[0].publishedAt).not.toBeNull();

        // B catches up: enforced at the heartbeat that completed the set (or later, if another live replica lagged).
        const bCaughtUp = await b.report(past(behind, change));
        const enforced = await waitFor(async () => (await policyChanges(principalId))[0].enforcedAt ?? undefined, {
          timeoutMs: 30_000,
          description: 'change enforced',
        });
        expect(Date.parse(enforced)).toBeGreaterThanOrEqual(bCaughtUp.getTime());
        const status = await http<{ replicas: ReplicaView[] }>('GET', '/v1/policy/status');
        const others = status.body.replicas.filter((r) => r.state === 'live' && r.gatewayId !== a.gatewayId && r.gatewayId !== b.gatewayId);
        if (others.length === 0) expect(enforced).toBe(bCaughtUp.toISOString());
        expect(status.body.replicas.find((r) => r.gatewayId === b.gatewayId)).toMatchObject({ state: 'live', ready: true, lag: 0, stalenessMs: 12 });

        // A replica that stops confirming is reported silent, and no longer awaited.
        await a.stop();
        await waitFor(async () => (await replica(a.gatewayId))?.state === 'silent', { timeoutMs: 30_000, description: 'replica A silent' });
        const apiId = await newApi();
        const grant = await created('/v1/grants', { principalId, apiId, scopes: ['charges:read'] });
        const key = await created<CreatedKey>('/v1/keys', { principalId, name: 'k' });
        const latest = await policyMessage(principalId, 3);
        const bCaughtUpAgain = await b.report(past(behind, latest));
        const changes = await waitFor(
          async () => {
            const items = await policyChanges(principalId);
            return items.every((item) => item.enforcedAt !== null) ? items : undefined;
          },
          { timeoutMs: 30_000, description: 'later changes enforced without the silent replica' },
        );
        expect(changes.map((item) => item.version)).toEqual([3, 2, 1]);
        expect(Date.parse(changes[0].enforcedAt!)).toBeGreaterThanOrEqual(bCaughtUpAgain.getTime());

        // The grant and the key listing say when the principal's latest policy took effect everywhere.
        const grantView = await http('GET', `/v1/grants/${grant.id}`);
        expect(grantView.body).toMatchObject({ policyVersion: 3, enforcedAt: changes[0].enforcedAt });
        const keys = await http('GET', `/v1/keys?principalId=${principalId}`);
        expect(keys.body.policy).toEqual({ version: 3, enforcedAt: changes[0].enforcedAt });
        expect(keys.body.items).toEqual([expect.objectContaining({ id: key.id, enforcedAt: changes[0].enforcedAt })]);

        // A replayed older heartbeat does not bring the silent replica back.
        const lastA = (await replica(a.gatewayId))!.lastSeenAt;
        await heartbeat({ gatewayId: a.gatewayId, at: new Date(Date.parse(lastA) - 1000), positions: behind });
        await takenIn(b, new Date(Date.now() + 1));
        expect(await replica(a.gatewayId)).toMatchObject({ state: 'silent', lastSeenAt: lastA });
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    it('reports a replica whose newest heartbeat is older than the silence threshold as silent', async () => {
      const gatewayC = `int-gw-${randomUUID().slice(0, 8)}-c`;
      const longAgo = new Date(Date.now() - 60_000);
      await heartbeat({ gatewayId: gatewayC, at: longAgo, positions: [], ready: false });
      expect(await replicaSeenAt(gatewayC, longAgo)).toMatchObject({ state: 'silent', ready: false });
      await waitFor(async () => /attest_gateway_replicas\{state="silent"\} [1-9]/.test(await metricsText()), {
        description: 'silent replicas on the metrics',
      });
    });

    it('lists catalog changes of an API, and refuses a query naming no subject or two', async () => {
      const apiId = await newApi();
      await http('POST', `/v1/apis/${apiId}/deprecate`, { body: { sunsetAt: new Date(Date.now() + DAY_MS).toISOString() } });
      const listed = await waitFor(
        async () => {
          const result = await http('GET', `/v1/policy/changes?apiId=${apiId}`);
          return result.body.items.length === 2 ? result.body : undefined;
        },
        { description: 'two catalog changes' },
      );
      expect(listed).toMatchObject({ topic: TOPICS.catalogState, subject: apiId });
      expect(listed.items.map((item: ChangeView) => item.version)).toEqual([2, 1]);

      for (const query of ['', `?principalId=${randomUUID()}&apiId=${apiId}`]) {
        const bad = await http('GET', `/v1/policy/changes${query}`);
        expect(bad.status).toBe(400);
        expect(fieldsOf(bad)).toEqual(['principalId']);
      }
      expect((await http('GET', `/v1/policy/changes?principalId=${randomUUID()}`)).status).toBe(404);
      expect((await http('GET', `/v1/policy/changes?apiId=${randomUUID()}`)).status).toBe(404);
    });
  });

  describe('admin HTTP API', () => {
    it('answers 401 without the admin token on every new endpoint, and serves /metrics without one', async () => {
      const id = randomUUID();
      const guarded: Array<[string, string]> = [
        ['GET', '/v1/policy/status'],
        ['GET', `/v1/policy/changes?principalId=${id}`],
        ['GET', '/v1/apis/unused'],
        ['GET', `/v1/apis/${id}/consumers`],
        ['PATCH', `/v1/apis/${id}`],
        ['POST', `/v1/apis/${id}/deprecate`],
        ['POST', `/v1/apis/${id}/retire`],
        ['POST', `/v1/keys/${id}/rotate`],
        ['GET', `/v1/principals/${id}/access`],
      ];
      for (const [method, path] of guarded) {
        const result = await http(method, path, { token: null, body: method === 'GET' ? undefined : {} });
        expect([method, path, result.status]).toEqual([method, path, 401]);
      }
      const metrics = await http('GET', '/metrics', { token: null });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('attest_reconciler_runs_total');
      expect(metrics.text).toContain('process_cpu_user_seconds_total');
    });

    it('routes /v1/apis/unused apart from /v1/apis/:id', async () => {
      const result = await http('GET', '/v1/apis/unused');
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ days: 90, items: expect.any(Array) });
      expect((await http('GET', '/v1/apis/not-a-uuid')).status).toBe(400);
    });
  });

  describe('reconciler alongside', () => {
    it('runs and repairs nothing where nothing drifted', async () => {
      await waitFor(async () => /attest_reconciler_runs_total\{result="ok"\} [1-9]/.test(await metricsText()), {
        timeoutMs: 60_000,
        description: 'a completed reconciler run',
      });
      expect(await metricsText()).not.toMatch(/attest_reconciler_repairs_total\{kind="[a-z-]+"\} [1-9]/);
      const repairs: unknown[] = await db.query(`SELECT target_id FROM enforcement.audit_log WHERE actor = 'reconciler' AND occurred_at >= $1`, [
        startedAt,
      ]);
      expect(repairs).toEqual([]);
    });
  });

  // Last: it stops one of the instance's consumers for a while.
  describe('readiness', () => {
    it('covers the batch consumers: not ready while one of them is not consuming, ready again once it is', async () => {
      const readiness = async () => {
        const response = await fetch(`${baseUrl}/health/ready`);
        const body = (await response.json()) as { details?: { messaging?: { batchConsumers?: Array<{ topic: string; groupId: string; connected: boolean }> } } };
        return { status: response.status, consumers: body.details?.messaging?.batchConsumers ?? [] };
      };
      const heartbeats = app.get(HeartbeatsConsumer).consumer;
      const before = await readiness();
      expect(before.status).toBe(200);
      expect(before.consumers).toEqual(
        expect.arrayContaining([
          { topic: TOPICS.gatewayApplied, groupId: heartbeats.groupId, connected: true },
          { topic: TOPICS.usageLastUsed, groupId: app.get(UsageConsumer).consumer.groupId, connected: true },
        ]),
      );

      await heartbeats.stop();
      const stopped = await readiness();
      expect(stopped.status).toBe(503);
      expect(stopped.consumers).toContainEqual({ topic: TOPICS.gatewayApplied, groupId: heartbeats.groupId, connected: false });

      await heartbeats.start();
      await waitFor(async () => (await readiness()).status === 200, { timeoutMs: 60_000, description: 'ready again once the consumer rejoined' });
    });
  });
});
