import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  AccessGrant,
  AuditEvent,
  deadLetterTopic,
  Envelope,
  IdentityEvent,
  PolicyState,
  PrincipalIdentityEvent,
  ReviewDecisionKind,
  TOPICS,
} from '@attest/contracts';
import { buildEnvelope, createKafkaClient, parseBrokers } from '@attest/messaging';
import { AdminClient, AdminRequestOptions, TEST_DATABASE_URL, TopicProbe, waitFor } from '@attest/testing';
import { startEnforcement } from '../testing/enforcement.harness';

const ADMIN_TOKEN = `int-admin-${randomUUID()}`;
const IDENTITY_DLQ = deadLetterTopic(TOPICS.identityEvents);

jest.setTimeout(120_000);

let app: INestApplication;
let baseUrl: string;
let probe: TopicProbe;
let producer: Producer;

beforeAll(async () => {
  ({ app, baseUrl } = await startEnforcement({
    env: {
      DATABASE_URL: TEST_DATABASE_URL,
      ATTEST_ADMIN_TOKEN: ADMIN_TOKEN,
      API_KEY_PEPPER: `int-pepper-${randomUUID()}`,
      ORPHANED_ACCESS_MODE: 'suspend',
      // Several enforcement databases publish to the same topics in a test run (the flag spec mirrors these
      // principals too); a reconciler here would take the others' states for drift. It has its own spec.
      RECONCILE_INTERVAL_MS: '3600000',
    },
  }));

  const kafka = createKafkaClient({
    clientId: 'enforcement-identities-int-spec',
    brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
  });
  probe = await new TopicProbe(kafka, [TOPICS.policyState, TOPICS.accessGrants, TOPICS.auditEvents, IDENTITY_DLQ]).start();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await probe?.stop();
  await app?.close();
});

const admin = new AdminClient(() => baseUrl, ADMIN_TOKEN);
const http = <T = Record<string, unknown>>(method: string, path: string, options?: AdminRequestOptions) => admin.request<T>(method, path, options);
const created = (path: string, body: unknown) => admin.created<Record<string, string>>(path, body);

/** Strictly growing event times, so each event of a test is newer than the one before it. */
let lastOccurredAt = 0;
function nextOccurredAt(): Date {
  lastOccurredAt = Math.max(Date.now(), lastOccurredAt + 1);
  return new Date(lastOccurredAt);
}

interface SyncedPerson {
  principalId: string;
  email: string;
}

function person(): SyncedPerson {
  return { principalId: randomUUID(), email: `ada.${randomUUID().slice(0, 8)}@example.com` };
}

function principalEvent(
  who: SyncedPerson,
  kind: PrincipalIdentityEvent['kind'],
  options: { status?: PrincipalIdentityEvent['status']; occurredAt?: Date } = {},
): Envelope<IdentityEvent> {
  const status = options.status ?? (kind === 'principal.upserted' || kind === 'principal.reactivated' ? 'active' : 'deactivated');
  return buildEnvelope({
    topic: TOPICS.identityEvents,
    subject: who.principalId,
    source: 'identity-sync',
    occurredAt: options.occurredAt ?? nextOccurredAt(),
    data: {
      kind,
      principalId: who.principalId,
      type: 'user',
      displayName: 'Ada Lovelace',
      email: who.email,
      status,
      managerId: null,
      department: 'Engineering',
      externalId: `00u${who.principalId.slice(0, 8)}`,
      source: 'okta',
    },
  });
}

function membershipEvent(who: SyncedPerson): Envelope<IdentityEvent> {
  return buildEnvelope({
    topic: TOPICS.identityEvents,
    subject: who.principalId,
    source: 'identity-sync',
    data: { kind: 'membership.added', principalId: who.principalId, groupId: randomUUID(), groupName: 'Engineering', source: 'okta' },
  });
}

async function produceIdentity(...envelopes: Array<Envelope<IdentityEvent>>): Promise<void> {
  await producer.send({
    topic: TOPICS.identityEvents,
    acks: -1,
    messages: envelopes.map((envelope) => ({ key: envelope.subject, value: JSON.stringify(envelope) })),
  });
}

async function produceDecision(input: { grantId: string; decision: ReviewDecisionKind }): Promise<string> {
  const envelope = buildEnvelope({
    topic: TOPICS.reviewDecisions,
    subject: input.grantId,
    source: 'enforcement-identities-int-spec',
    data: {
      decisionId: randomUUID(),
      grantId: input.grantId,
      decision: input.decision,
      reviewer: 'reviewer@example.com',
      reason: 'checked with the manager',
      decidedAt: new Date().toISOString(),
    },
  });
  await producer.send({ topic: TOPICS.reviewDecisions, acks: -1, messages: [{ key: input.grantId, value: JSON.stringify(envelope) }] });
  return envelope.data.decisionId;
}

async function processed(eventId: string): Promise<boolean> {
  const rows: unknown[] = await app.get(DataSource).query(`SELECT 1 FROM enforcement.processed_events WHERE event_id = $1`, [eventId]);
  return rows.length > 0;
}

/** Waits until the consumer has applied (or skipped as a duplicate) everything produced on the key before `marker`. */
async function consumedThrough(marker: Envelope<IdentityEvent>): Promise<void> {
  await produceIdentity(marker);
  await waitFor(() => processed(marker.id), { timeoutMs: 30_000, description: `identity event ${marker.id} consumed` });
}

function events<T>(topic: string, key: string): Array<Envelope<T>> {
  return probe.where((message) => message.topic === topic && message.key === key).map((message) => message.value as Envelope<T>);
}

function policies(principalId: string): PolicyState[] {
  return events<PolicyState>(TOPICS.policyState, principalId).map((event) => event.data);
}

function grantStates(grantId: string): AccessGrant[] {
  return events<AccessGrant>(TOPICS.accessGrants, grantId).map((event) => event.data);
}

function auditsOf(targetId: string, action: string): AuditEvent[] {
  return events<AuditEvent>(TOPICS.auditEvents, targetId)
    .map((event) => event.data)
    .filter((audit) => audit.action === action);
}

async function policyWhere(principalId: string, description: string, predicate: (policy: PolicyState) => boolean): Promise<PolicyState> {
  return waitFor(() => policies(principalId).find(predicate), { timeoutMs: 30_000, description });
}

async function principalWhere(principalId: string, predicate: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const result = await http('GET', `/v1/principals/${principalId}`);
      return result.status === 200 && predicate(result.body) ? result.body : false;
    },
    { timeoutMs: 30_000, description: `principal ${principalId} to match` },
  );
}

/** A person synced from the identity provider, then given an API grant and a key through the admin API. */
async function syncedWithAccess(): Promise<SyncedPerson & { apiId: string; grantId: string; keyId: string }> {
  const who = person();
  await produceIdentity(principalEvent(who, 'principal.upserted'));
  await principalWhere(who.principalId, (body) => body.status === 'active');
  const { id: apiId } = await created('/v1/apis', {
    name: 'Payments',
    basePath: `/int-${randomUUID().slice(0, 8)}`,
    upstreamUrl: 'http://127.0.0.1:9',
    ownerEmail: 'payments-owner@example.com',
    routes: [{ method: 'GET', path: '/charges', scope: 'charges:read' }],
  });
  const { id: grantId } = await created('/v1/grants', { principalId: who.principalId, apiId, scopes: ['charges:read'] });
  const { id: keyId } = await created('/v1/keys', { principalId: who.principalId, name: 'laptop' });
  await policyWhere(who.principalId, 'policy with the grant and the key', (p) =>
    p.grants.some((g) => g.grantId === grantId) && p.keys.some((k) => k.keyId === keyId && k.status === 'active'),
  );
  return { ...who, apiId, grantId, keyId };
}

describe('enforcement: identity lifecycle (ORPHANED_ACCESS_MODE=suspend)', () => {
  it('mirrors a synced principal under the identity provider id, found by e-mail case-insensitively', async () => {
    const who = person();
    await produceIdentity(principalEvent(who, 'principal.upserted'));

    const found = await waitFor(
      async () => {
        const result = await http<{ items: Array<Record<string, unknown>> }>('GET', `/v1/principals?email=${encodeURIComponent(who.email.toUpperCase())}`);
        return result.status === 200 && result.body.items.length > 0 ? result.body.items : false;
      },
      { timeoutMs: 30_000, description: 'the synced principal to be found by e-mail' },
    );
    expect(found).toEqual([
      expect.objectContaining({
        id: who.principalId,
        type: 'user',
        displayName: 'Ada Lovelace',
        email: who.email,
        status: 'active',
        source: 'okta',
        externalId: `00u${who.principalId.slice(0, 8)}`,
      }),
    ]);
    // The gateway learns of the principal at once, holding nothing yet.
    await policyWhere(who.principalId, 'empty policy of the synced principal', (p) => p.status === 'active' && p.keys.length === 0);
    // The audit event travels on its own topic, so it may reach the probe after the policy did.
    const synced = await waitFor(() => auditsOf(who.principalId, 'principal.synced')[0], { description: 'principal.synced audited' });
    expect(synced).toMatchObject({ actor: 'identity:okta' });
  });

  it('deactivation suspends keys and orphans grants at once; reactivation restores nothing; keep restores grant and keys', async () => {
    const setup = await syncedWithAccess();
    const before = await policyWhere(setup.principalId, 'policy with the key', (p) => p.keys.some((k) => k.keyId === setup.keyId));

    // The same deactivation twice (a redelivery), then a marker on the same key, so the same partition.
    const deactivation = principalEvent(setup, 'principal.deactivated');
    await produceIdentity(deactivation, deactivation);
    await consumedThrough(membershipEvent(setup));

    const closed = await policyWhere(setup.principalId, 'policy after deactivation', (p) => p.version > before.version);
    expect(closed.status).toBe('suspended');
    expect(closed.grants).toEqual([]);
    expect(closed.keys.map((k) => [k.keyId, k.status])).toEqual([[setup.keyId, 'suspended']]);
    expect(policies(setup.principalId).filter((p) => p.version > before.version)).toHaveLength(1);

    expect((await http('GET', `/v1/grants/${setup.grantId}`)).body).toMatchObject({ status: 'orphaned', heldPendingReview: false });
    expect((await http<{ items: Array<{ status: string }> }>('GET', `/v1/keys?principalId=${setup.principalId}`)).body.items[0].status).toBe(
      'suspended',
    );
    expect((await http('GET', `/v1/principals/${setup.principalId}`)).body).toMatchObject({ status: 'deactivated', policyVersion: closed.version });
    await waitFor(() => grantStates(setup.grantId).find((g) => g.status === 'orphaned'), { description: 'orphaned grant on access.grants.v1' });
    await waitFor(() => auditsOf(setup.grantId, 'grant.orphaned')[0], { description: 'grant.orphaned audited' });
    expect(auditsOf(setup.grantId, 'grant.orphaned')).toHaveLength(1);
    expect(auditsOf(setup.keyId, 'key.suspended')).toHaveLength(1);
    expect(auditsOf(setup.principalId, 'principal.deactivated')).toEqual([
      expect.objectContaining({
        actor: 'identity:okta',
        details: expect.objectContaining({ mode: 'suspend', suspendedKeyIds: [setup.keyId], orphanedGrantIds: [setup.grantId] }),
      }),
    ]);

    // No new access for someone the identity provider no longer holds active.
    const refused = await http('POST', '/v1/keys', { body: { principalId: setup.principalId, name: 'another' } });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('https://attest.dev/problems/conflict');

    await produceIdentity(principalEvent(setup, 'principal.reactivated'));
    const reopened = await policyWhere(setup.principalId, 'policy after reactivation', (p) => p.version > closed.version);
    expect(reopened.status).toBe('active');
    expect(reopened.grants).toEqual([]);
    expect(reopened.keys.map((k) => [k.keyId, k.status])).toEqual([[setup.keyId, 'suspended']]);
    expect((await http('GET', `/v1/principals/${setup.principalId}`)).body.status).toBe('active');
    expect((await http('GET', `/v1/grants/${setup.grantId}`)).body.status).toBe('orphaned');
    // Republished for the review-scheduler, and audited as flagged for review.
    await waitFor(() => grantStates(setup.grantId).filter((g) => g.status === 'orphaned').length >= 2, {
      timeoutMs: 30_000,
      description: 'orphaned grant announced again on reactivation',
    });
    await waitFor(() => auditsOf(setup.grantId, 'grant.flagged-for-review')[0], { description: 'grant flagged for review' });

    await produceDecision({ grantId: setup.grantId, decision: 'keep' });
    const restored = await policyWhere(setup.principalId, 'policy after keep', (p) => p.version > reopened.version);
    expect(restored.status).toBe('active');
    expect(restored.grants.map((g) => g.grantId)).toEqual([setup.grantId]);
    expect(restored.keys.map((k) => [k.keyId, k.status])).toEqual([[setup.keyId, 'active']]);
    expect((await http('GET', `/v1/grants/${setup.grantId}`)).body).toMatchObject({ status: 'active', orphanedAt: null });
    await waitFor(() => grantStates(setup.grantId).at(-1)?.status === 'active', { description: 'active grant on access.grants.v1' });
    await waitFor(() => auditsOf(setup.grantId, 'decision.keep')[0], { description: 'keep audited' });
    expect(auditsOf(setup.grantId, 'decision.keep')[0].details).toMatchObject({ effect: 'restored', restoredKeyIds: [setup.keyId] });
    expect(auditsOf(setup.keyId, 'key.restored')[0]).toMatchObject({ actor: 'reviewer@example.com' });
    expect(auditsOf(setup.grantId, 'grant.restored')).toHaveLength(1);
  });

  it('a revoke decision on an orphaned grant revokes it', async () => {
    const setup = await syncedWithAccess();
    await produceIdentity(principalEvent(setup, 'principal.suspended'));
    await waitFor(async () => (await http('GET', `/v1/grants/${setup.grantId}`)).body.status === 'orphaned', {
      timeoutMs: 30_000,
      description: 'grant orphaned',
    });
    const suspended = await policyWhere(setup.principalId, 'suspended policy', (p) => p.status === 'suspended');

    await produceDecision({ grantId: setup.grantId, decision: 'revoke' });
    await waitFor(async () => (await http('GET', `/v1/grants/${setup.grantId}`)).body.status === 'revoked', {
      timeoutMs: 30_000,
      description: 'orphaned grant revoked',
    });
    const after = await policyWhere(setup.principalId, 'policy after revoke', (p) => p.version > suspended.version);
    expect(after.grants).toEqual([]);
    expect(after.keys.map((k) => k.status)).toEqual(['suspended']);
    await waitFor(() => grantStates(setup.grantId).at(-1)?.status === 'revoked', { description: 'revoked grant on access.grants.v1' });
  });

  it('an admin restores the access of a reactivated principal, and is refused while it is inactive', async () => {
    const setup = await syncedWithAccess();
    await produceIdentity(principalEvent(setup, 'principal.deleted'));
    await principalWhere(setup.principalId, (body) => body.status === 'deleted');
    const deleted = await policyWhere(setup.principalId, 'deleted policy', (p) => p.status === 'deleted' && p.keys[0]?.status === 'suspended');

    const refused = await http('POST', `/v1/principals/${setup.principalId}/restore`, { body: { reason: 'back from leave' } });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('https://attest.dev/problems/conflict');

    await produceIdentity(principalEvent(setup, 'principal.upserted', { status: 'active' }));
    const reopened = await policyWhere(setup.principalId, 'active policy after the upsert', (p) => p.version > deleted.version);
    expect(reopened.status).toBe('active');
    expect(reopened.keys.map((k) => k.status)).toEqual(['suspended']);
    expect(reopened.grants).toEqual([]);

    const restored = await http('POST', `/v1/principals/${setup.principalId}/restore`, { body: { reason: 'back from leave' } });
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ principalId: setup.principalId, restoredKeyIds: [setup.keyId], restoredGrantIds: [setup.grantId] });
    const open = await policyWhere(setup.principalId, 'policy after restore', (p) => p.version > reopened.version);
    expect(open.keys.map((k) => [k.keyId, k.status])).toEqual([[setup.keyId, 'active']]);
    expect(open.grants.map((g) => g.grantId)).toEqual([setup.grantId]);
    await waitFor(() => auditsOf(setup.principalId, 'principal.access-restored')[0], { description: 'restore audited' });
    expect(auditsOf(setup.principalId, 'principal.access-restored')[0]).toMatchObject({ actor: 'admin', reason: 'back from leave' });

    // Restoring again finds nothing left to restore and publishes no new version.
    const again = await http('POST', `/v1/principals/${setup.principalId}/restore`, { body: { reason: 'twice' } });
    expect(again.body).toEqual({ principalId: setup.principalId, restoredKeyIds: [], restoredGrantIds: [] });
    expect((await http('GET', `/v1/principals/${setup.principalId}`)).body.policyVersion).toBe(open.version);
  });

  it('never lets an older identity fact overwrite a newer one', async () => {
    const who = person();
    const older = nextOccurredAt();
    await produceIdentity(principalEvent(who, 'principal.deactivated'));
    await principalWhere(who.principalId, (body) => body.status === 'deactivated');

    const stale = principalEvent(who, 'principal.upserted', { status: 'active', occurredAt: older });
    await produceIdentity(stale);
    await consumedThrough(membershipEvent(who));
    expect(await processed(stale.id)).toBe(true);
    expect((await http('GET', `/v1/principals/${who.principalId}`)).body.status).toBe('deactivated');
  });

  it('acknowledges membership events without recording anything or dead-lettering them', async () => {
    const who = person();
    const membership = membershipEvent(who);
    await consumedThrough(membership);
    expect((await http('GET', `/v1/principals/${who.principalId}`)).status).toBe(404);
    expect(probe.where((m) => m.topic === IDENTITY_DLQ && m.key === who.principalId)).toEqual([]);
  });

  describe('admin HTTP API', () => {
    it('answers 400 naming the bad field', async () => {
      for (const path of ['/v1/principals', '/v1/principals?email=not-an-email']) {
        const result = await http<{ errors: Array<{ field: string }> }>('GET', path);
        expect(result.status).toBe(400);
        expect(result.body.errors.map((e) => e.field)).toEqual(['email']);
      }
      const noReason = await http<{ errors: Array<{ field: string }> }>('POST', `/v1/principals/${randomUUID()}/restore`, { body: {} });
      expect(noReason.status).toBe(400);
      expect(noReason.body.errors.map((e) => e.field)).toEqual(['reason']);
      const badId = await http<{ errors: Array<{ field: string }> }>('POST', '/v1/principals/nope/restore', { body: { reason: 'x' } });
      expect(badId.status).toBe(400);
      expect(badId.body.errors.map((e) => e.field)).toEqual(['id']);
    });

    it('answers 404 for an unknown principal, an empty list for an unknown e-mail, 401 without the token', async () => {
      const unknown = await http('POST', `/v1/principals/${randomUUID()}/restore`, { body: { reason: 'x' } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.type).toBe('https://attest.dev/problems/not-found');
      expect((await http('GET', `/v1/principals?email=nobody.${randomUUID().slice(0, 8)}@example.com`)).body).toEqual({ items: [] });
      expect((await http('GET', '/v1/principals?email=a@example.com', { token: null })).status).toBe(401);
      expect((await http('POST', `/v1/principals/${randomUUID()}/restore`, { body: { reason: 'x' }, token: null })).status).toBe(401);
    });
  });
});
