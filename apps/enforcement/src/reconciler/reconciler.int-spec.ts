import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { AuditEvent, CatalogState, deadLetterTopic, Envelope, PolicyState, TOPICS } from '@attest/contracts';
import { buildEnvelope, createKafkaClient, parseBrokers } from '@attest/messaging';
import { ensureDatabase } from '@attest/persistence';
import { AdminClient, suiteDatabaseUrl, TopicProbe, waitFor } from '@attest/testing';
import { startEnforcement } from '../testing/enforcement.harness';

/**
 * The reconciler against real Kafka and Postgres: states put on the compacted topics behind
 * enforcement's back (an older record, a tombstone, other content, a version never issued) are
 * republished from the database. This enforcement has its own database and consumes neither identity
 * events nor decisions, so the database holds only the principals and APIs this suite makes: others'
 * states, published from other databases, are not its to judge.
 */
const DATABASE_URL = suiteDatabaseUrl('enforcement_reconciler');
const NOT_CONSUMED = new Set<string>([TOPICS.identityEvents, TOPICS.reviewDecisions]);
const ADMIN_TOKEN = `int-admin-${randomUUID()}`;

jest.setTimeout(120_000);

let app: INestApplication;
let baseUrl: string;
let probe: TopicProbe;
let producer: Producer;

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  ({ app, baseUrl } = await startEnforcement({
    env: {
      DATABASE_URL,
      ATTEST_ADMIN_TOKEN: ADMIN_TOKEN,
      API_KEY_PEPPER: `int-pepper-${randomUUID()}`,
      RECONCILE_INTERVAL_MS: '5000',
    },
    notConsumed: NOT_CONSUMED,
  }));

  const kafka = createKafkaClient({ clientId: 'enforcement-reconciler-int-spec', brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') });
  probe = await new TopicProbe(kafka, [TOPICS.policyState, TOPICS.catalogState, TOPICS.auditEvents, deadLetterTopic(TOPICS.policyState)]).start();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await probe?.stop();
  await app?.close();
});

const admin = new AdminClient(() => baseUrl, ADMIN_TOKEN);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const http = <T = any>(method: string, path: string, body?: unknown) => admin.request<T>(method, path, { body });
const created = (path: string, body: unknown) => admin.created(path, body);

async function newApi(): Promise<string> {
  return (
    await created('/v1/apis', {
      name: 'Ledger',
      basePath: `/rec-${randomUUID().slice(0, 8)}`,
      upstreamUrl: 'http://127.0.0.1:9',
      ownerEmail: 'ledger-owner@example.com',
      routes: [{ method: 'GET', path: '/entries', scope: 'entries:read' }],
    })
  ).id;
}

/** A principal with a grant and a key, published as versions 1 to 3. */
async function provision(): Promise<{ principalId: string; apiId: string; grantId: string; keyId: string }> {
  const apiId = await newApi();
  const { id: principalId } = await created('/v1/principals', { type: 'service', displayName: `svc-${randomUUID()}` });
  const { id: grantId } = await created('/v1/grants', { principalId, apiId, scopes: ['entries:read'] });
  const { id: keyId } = await created('/v1/keys', { principalId, name: 'ci' });
  await policyWhere(principalId, 'policy 3', (p) => p.version === 3);
  return { principalId, apiId, grantId, keyId };
}

function policies(principalId: string): PolicyState[] {
  return probe
    .where((m) => m.topic === TOPICS.policyState && m.key === principalId && (m.value as Envelope<PolicyState> | null)?.data !== undefined)
    .map((m) => (m.value as Envelope<PolicyState>).data);
}

async function policyWhere(principalId: string, description: string, predicate: (policy: PolicyState) => boolean): Promise<PolicyState> {
  return waitFor(() => policies(principalId).find(predicate), { timeoutMs: 60_000, description });
}

function audits(targetId: string): AuditEvent[] {
  return probe.where((m) => m.topic === TOPICS.auditEvents && m.key === targetId).map((m) => (m.value as Envelope<AuditEvent>).data);
}

/** Puts a record on a compacted topic directly, as a stray producer, a restored backup or a replay could. */
async function putOnTopic(topic: typeof TOPICS.policyState | typeof TOPICS.catalogState, key: string, data: PolicyState | CatalogState | null) {
  const value = data === null ? null : JSON.stringify(buildEnvelope({ topic, subject: key, source: 'elsewhere', data: data as never }));
  await producer.send({ topic, acks: -1, messages: [{ key, value }] });
}

async function repairsOf(kind: string): Promise<number> {
  const text = (await http('GET', '/metrics')).text;
  const match = new RegExp(`attest_reconciler_repairs_total\\{kind="${kind}"\\} (\\d+)`).exec(text);
  return match ? Number(match[1]) : 0;
}

async function repairCounted(kind: string, before: number): Promise<void> {
  await waitFor(async () => (await repairsOf(kind)) > before, { timeoutMs: 60_000, description: `a ${kind} repair counted` });
}

/** One subject per kind of drift, all put on the topics before the reconciler's next run. */
interface Drifted {
  principalId: string;
  apiId: string;
  grantId: string;
  keyId: string;
  /** The state the database wants, as last published before the drift. */
  published: PolicyState;
}

describe('reconciler', () => {
  let untouched: string;
  const drifted: Record<'older' | 'missing' | 'different' | 'ahead' | 'unreadable', Drifted> = {} as never;
  let api: { id: string; first: CatalogState };
  const before: Record<string, number> = {};

  // Every drift is made up front, so a run or two repairs them all: reading the whole shared topics
  // costs a few seconds of CPU per run on this machine, and other suites run beside this one.
  beforeAll(async () => {
    untouched = (await provision()).principalId;
    for (const kind of ['older', 'missing', 'different', 'ahead', 'unreadable'] as const) {
      const setup = await provision();
      drifted[kind] = { ...setup, published: policies(setup.principalId).find((p) => p.version === 3)! };
    }
    // Retiring its API revokes the grant of 'older': version 4 holds no grant.
    expect((await http('POST', `/v1/apis/${drifted.older.apiId}/retire`, { reason: 'moved to ledger v2' })).status).toBe(200);
    await policyWhere(drifted.older.principalId, 'policy 4 without the grant', (p) => p.version === 4 && p.grants.length === 0);
    const apiId = await newApi();
    api = {
      id: apiId,
      first: await waitFor(
        () => probe.where((m) => m.topic === TOPICS.catalogState && m.key === apiId && m.value !== null).map((m) => (m.value as Envelope<CatalogState>).data)[0],
        { description: 'catalog state 1' },
      ),
    };
    for (const kind of ['policy-older', 'policy-missing', 'policy-different', 'policy-ahead', 'catalog-missing']) before[kind] = await repairsOf(kind);

    // The older state, holding the since revoked grant, lands after the newer one: a gateway
    // rebuilding from the compacted topic would find only it.
    await putOnTopic(TOPICS.policyState, drifted.older.principalId, drifted.older.published);
    await putOnTopic(TOPICS.policyState, drifted.missing.principalId, null);
    const widened = drifted.different.published;
    await putOnTopic(TOPICS.policyState, drifted.different.principalId, {
      ...widened,
      grants: [...widened.grants, { grantId: randomUUID(), apiId: randomUUID(), scopes: ['admin'] }],
    });
    // A far newer version a running gateway would keep: only a still newer one replaces it.
    await putOnTopic(TOPICS.policyState, drifted.ahead.principalId, { ...drifted.ahead.published, version: 1000, grants: [] });
    await putOnTopic(TOPICS.catalogState, api.id, null);
    // A record no reader can parse hides the state before it from a gateway, which dead-letters it.
    await producer.send({ topic: TOPICS.policyState, acks: -1, messages: [{ key: drifted.unreadable.principalId, value: '{"not": "an envelope"}' }] });
  });

  it('republishes a policy an older record took back, so a revoked grant does not come back, and counts the repair', async () => {
    const { principalId, keyId } = drifted.older;
    expect(drifted.older.published.grants.map((g) => g.grantId)).toEqual([drifted.older.grantId]);
    const repaired = await policyWhere(principalId, 'republished policy', (p) => p.version > 4);
    expect(repaired.version).toBe(5);
    expect(repaired.grants).toEqual([]);
    expect(repaired.keys.map((k) => [k.keyId, k.status])).toEqual([[keyId, 'active']]);
    await repairCounted('policy-older', before['policy-older']);
    expect((await http('GET', `/v1/principals/${principalId}`)).body.policyVersion).toBe(5);
    const audit = await waitFor(() => audits(principalId).find((a) => a.action === 'policy.republished'), { description: 'repair audited' });
    expect(audit).toMatchObject({ actor: 'reconciler', details: { kind: 'older', observedVersion: 3, desiredVersion: 4, publishedVersion: 5 } });
  });

  it('republishes a policy deleted by a tombstone', async () => {
    const repaired = await policyWhere(drifted.missing.principalId, 'republished policy', (p) => p.version === 4);
    expect(repaired.grants.map((g) => g.grantId)).toEqual([drifted.missing.grantId]);
    await repairCounted('policy-missing', before['policy-missing']);
  });

  it('republishes a policy behind a record that does not parse, without dead-lettering that record itself', async () => {
    const { principalId, grantId } = drifted.unreadable;
    const repaired = await policyWhere(principalId, 'republished policy', (p) => p.version === 4);
    expect(repaired.grants.map((g) => g.grantId)).toEqual([grantId]);
    // Gateways reading the shared topic dead-letter it; no reconciler does, on this run or any other.
    const byReconcilers = probe.where((m) => m.topic === deadLetterTopic(TOPICS.policyState) && m.key === principalId && /\.enforcement\.reconciler\./.test(m.headers['x-dlq-consumer'] ?? ''));
    expect(byReconcilers).toEqual([]);
  });

  it('republishes a policy replaced by other content under the same version', async () => {
    const repaired = await policyWhere(drifted.different.principalId, 'republished policy', (p) => p.version === 4);
    expect(repaired.grants).toEqual(drifted.different.published.grants);
    await repairCounted('policy-different', before['policy-different']);
  });

  it('goes past a version the database never issued, and keeps counting from there', async () => {
    const { principalId, grantId, keyId } = drifted.ahead;
    const repaired = await policyWhere(principalId, 'republished policy', (p) => p.version === 1001);
    expect(repaired.grants.map((g) => g.grantId)).toEqual([grantId]);
    await repairCounted('policy-ahead', before['policy-ahead']);

    expect((await http('DELETE', `/v1/keys/${keyId}`)).status).toBe(204);
    await policyWhere(principalId, 'next change after the repair', (p) => p.version === 1002 && p.keys[0].status === 'revoked');
  });

  it('republishes a catalog state deleted by a tombstone', async () => {
    const repaired = await waitFor(
      () =>
        probe
          .where((m) => m.topic === TOPICS.catalogState && m.key === api.id && m.value !== null)
          .map((m) => (m.value as Envelope<CatalogState>).data)
          .find((state) => state.version === 2),
      { timeoutMs: 60_000, description: 'republished catalog state' },
    );
    expect(repaired).toEqual({ ...api.first, version: 2 });
    await repairCounted('catalog-missing', before['catalog-missing']);
  });

  it('leaves a principal whose published state matches the database alone, and records every run', async () => {
    await waitFor(async () => /attest_reconciler_runs_total\{result="ok"\} ([2-9]|\d\d)/.test((await http('GET', '/metrics')).text), {
      timeoutMs: 60_000,
      description: 'several reconciler runs',
    });
    expect(policies(untouched).map((p) => p.version)).toEqual([1, 2, 3]);
    expect(audits(untouched).filter((a) => a.actor === 'reconciler')).toEqual([]);
    const metrics = (await http('GET', '/metrics')).text;
    expect(metrics).toMatch(/attest_reconciler_last_run_timestamp_seconds \d/);
    expect(metrics).toMatch(/attest_reconciler_last_run_duration_seconds \d/);
  });
});
