import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { AccessGrant, AuditEvent, Envelope, IdentityEvent, PolicyState, PrincipalIdentityEvent, TOPICS } from '@attest/contracts';
import { buildEnvelope, createKafkaClient, ensureTopics, parseBrokers } from '@attest/messaging';
import { ensureDatabase } from '@attest/persistence';
import { AdminClient, suiteDatabaseUrl, TopicProbe, waitFor } from '@attest/testing';
import { startEnforcement } from '../testing/enforcement.harness';

/**
 * ORPHANED_ACCESS_MODE=flag needs its own enforcement: an instance in the shared test database and
 * consumer group would race the 'suspend' instances of the other specs for the same events. So this
 * one has its own database and consumer group.
 */
const DATABASE_URL = suiteDatabaseUrl('enforcement_flag');
const GROUP_PREFIX = 'attest-test-flag';
const CONSUMED = [TOPICS.identityEvents, TOPICS.reviewDecisions, TOPICS.usageLastUsed, TOPICS.gatewayApplied] as const;
const ADMIN_TOKEN = `int-admin-${randomUUID()}`;

jest.setTimeout(120_000);

let app: INestApplication;
let baseUrl: string;
let probe: TopicProbe;
let producer: Producer;

/**
 * Starts the consumer group at the end of its topics: the other specs' decisions name grants this
 * database has never seen, and replaying them would only dead-letter them.
 */
async function skipHistory(kafka: Kafka): Promise<void> {
  await ensureTopics(kafka, CONSUMED);
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of CONSUMED) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId: `${GROUP_PREFIX}.enforcement`,
        topic,
        partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  const kafka = createKafkaClient({
    clientId: 'enforcement-flag-int-spec',
    brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
  });
  await skipHistory(kafka);

  ({ app, baseUrl } = await startEnforcement({
    env: {
      DATABASE_URL,
      KAFKA_GROUP_PREFIX: GROUP_PREFIX,
      ATTEST_ADMIN_TOKEN: ADMIN_TOKEN,
      API_KEY_PEPPER: `int-pepper-${randomUUID()}`,
      ORPHANED_ACCESS_MODE: 'flag',
      // This database mirrors the other specs' synced principals and publishes their policies too; a
      // reconciler here would take the others' states for drift. The reconciler has its own spec.
      RECONCILE_INTERVAL_MS: '3600000',
    },
  }));

  probe = await new TopicProbe(kafka, [TOPICS.policyState, TOPICS.accessGrants, TOPICS.auditEvents]).start();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await probe?.stop();
  await app?.close();
});

const admin = new AdminClient(() => baseUrl, ADMIN_TOKEN);
const http = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => admin.request<T>(method, path, { body });
const created = async (path: string, body: unknown) => (await admin.created(path, body)).id;

let lastOccurredAt = 0;
function principalEvent(principalId: string, kind: PrincipalIdentityEvent['kind']): Envelope<IdentityEvent> {
  lastOccurredAt = Math.max(Date.now(), lastOccurredAt + 1);
  return buildEnvelope({
    topic: TOPICS.identityEvents,
    subject: principalId,
    source: 'identity-sync',
    occurredAt: new Date(lastOccurredAt),
    data: {
      kind,
      principalId,
      type: 'user',
      displayName: 'Grace Hopper',
      email: `grace.${principalId.slice(0, 8)}@example.com`,
      status: kind === 'principal.deactivated' ? 'deactivated' : 'active',
      managerId: null,
      department: null,
      externalId: null,
      source: 'scim',
    },
  });
}

async function produce(topic: string, key: string, value: unknown): Promise<void> {
  await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify(value) }] });
}

function events<T>(topic: string, key: string): T[] {
  return probe.where((m) => m.topic === topic && m.key === key).map((m) => (m.value as Envelope<T>).data);
}

async function policyWhere(principalId: string, description: string, predicate: (policy: PolicyState) => boolean): Promise<PolicyState> {
  return waitFor(() => events<PolicyState>(TOPICS.policyState, principalId).find(predicate), { timeoutMs: 30_000, description });
}

describe('enforcement: identity lifecycle (ORPHANED_ACCESS_MODE=flag)', () => {
  it('orphans and flags the grants of a deactivated principal while its keys and grants keep working until a reviewer decides', async () => {
    const principalId = randomUUID();
    await produce(TOPICS.identityEvents, principalId, principalEvent(principalId, 'principal.upserted'));
    await waitFor(async () => (await http('GET', `/v1/principals/${principalId}`)).status === 200, {
      timeoutMs: 30_000,
      description: 'the synced principal',
    });
    const apiId = await created('/v1/apis', {
      name: 'Ledger',
      basePath: `/flag-${randomUUID().slice(0, 8)}`,
      upstreamUrl: 'http://127.0.0.1:9',
      ownerEmail: 'ledger-owner@example.com',
      routes: [{ method: 'GET', path: '/entries', scope: 'entries:read' }],
    });
    const grantId = await created('/v1/grants', { principalId, apiId, scopes: ['entries:read'] });
    const keyId = await created('/v1/keys', { principalId, name: 'batch job' });
    const open = await policyWhere(principalId, 'policy with the grant and the key', (p) => p.grants.length === 1 && p.keys.length === 1);

    await produce(TOPICS.identityEvents, principalId, principalEvent(principalId, 'principal.deactivated'));
    const flagged = await policyWhere(principalId, 'policy after deactivation', (p) => p.version > open.version);
    // Still enforced as before: the key works and the grant is still granted.
    expect(flagged.status).toBe('active');
    expect(flagged.keys.map((k) => [k.keyId, k.status])).toEqual([[keyId, 'active']]);
    expect(flagged.grants.map((g) => g.grantId)).toEqual([grantId]);
    // But the grant is orphaned and announced, so the review-scheduler puts it in front of a reviewer.
    expect((await http('GET', `/v1/grants/${grantId}`)).body).toMatchObject({ status: 'orphaned', heldPendingReview: true });
    expect((await http('GET', `/v1/principals/${principalId}`)).body).toMatchObject({ status: 'deactivated', heldPendingReview: true });
    await waitFor(() => events<AccessGrant>(TOPICS.accessGrants, grantId).find((g) => g.status === 'orphaned'), {
      description: 'orphaned grant on access.grants.v1',
    });
    const audit = await waitFor(() => events<AuditEvent>(TOPICS.auditEvents, principalId).find((a) => a.action === 'principal.deactivated'), {
      description: 'deactivation audited',
    });
    expect(audit.details).toMatchObject({ mode: 'flag', suspendedKeyIds: [], orphanedGrantIds: [grantId] });

    // A reviewer's keep makes the grant plainly active again.
    const decision = buildEnvelope({
      topic: TOPICS.reviewDecisions,
      subject: grantId,
      source: 'enforcement-flag-int-spec',
      data: {
        decisionId: randomUUID(),
        grantId,
        decision: 'keep',
        reviewer: 'lead@example.com',
        reason: 'contractor, still needed',
        decidedAt: new Date().toISOString(),
      },
    });
    await produce(TOPICS.reviewDecisions, grantId, decision);
    await waitFor(async () => (await http('GET', `/v1/grants/${grantId}`)).body.status === 'active', {
      timeoutMs: 30_000,
      description: 'grant kept',
    });
    expect((await http('GET', `/v1/grants/${grantId}`)).body).toMatchObject({ heldPendingReview: false, orphanedAt: null });
  });
});
