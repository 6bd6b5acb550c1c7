import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import {
  AccessGrant,
  AuditEvent,
  CatalogState,
  deadLetterTopic,
  Envelope,
  hashKeySecret,
  parseApiKey,
  PolicyState,
  ReviewDecisionKind,
  TOPICS,
} from '@attest/contracts';
import { buildEnvelope, createKafkaClient, parseBrokers } from '@attest/messaging';
import { AdminClient, AdminRequestOptions, TEST_DATABASE_URL, TopicProbe, waitFor } from '@attest/testing';
import { startEnforcement } from './testing/enforcement.harness';

const ADMIN_TOKEN = `int-admin-${randomUUID()}`;
const PEPPER = `int-pepper-${randomUUID()}`;
const DLQ = deadLetterTopic(TOPICS.reviewDecisions);

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
      API_KEY_PEPPER: PEPPER,
      // Several enforcement databases publish to the same topics in a test run (one per spec); a reconciler
      // here would take the others' states for drift. The reconciler has its own spec and database.
      RECONCILE_INTERVAL_MS: '3600000',
    },
  }));

  const kafka = createKafkaClient({
    clientId: 'enforcement-int-spec',
    brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
  });
  probe = await new TopicProbe(kafka, [TOPICS.policyState, TOPICS.catalogState, TOPICS.accessGrants, TOPICS.auditEvents, DLQ]).start();
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

function apiBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Payments',
    basePath: `/int-${randomUUID().slice(0, 8)}`,
    upstreamUrl: 'http://127.0.0.1:9',
    ownerEmail: 'payments-owner@example.com',
    routes: [
      { method: 'GET', path: '/charges', scope: 'charges:read' },
      { method: 'POST', path: '/charges', scope: 'charges:write' },
    ],
    ...overrides,
  };
}

/** A fresh API, principal, grant and key: the test database is shared, so nothing is reused. */
async function provision() {
  const { id: apiId } = await created('/v1/apis', apiBody());
  const { id: principalId } = await created('/v1/principals', { type: 'service', displayName: `svc-${randomUUID()}` });
  const { id: grantId } = await created('/v1/grants', { principalId, apiId, scopes: ['charges:read'] });
  const key = await created('/v1/keys', { principalId, name: 'ci' });
  return { apiId, principalId, grantId, keyId: key.id, key: key.key, prefix: key.prefix };
}

function events<T>(topic: string, key: string): Array<Envelope<T>> {
  return probe.where((message) => message.topic === topic && message.key === key).map((message) => message.value as Envelope<T>);
}

function policies(principalId: string): PolicyState[] {
  return events<PolicyState>(TOPICS.policyState, principalId).map((event) => event.data);
}

function auditsOf(targetId: string): AuditEvent[] {
  return events<AuditEvent>(TOPICS.auditEvents, targetId).map((event) => event.data);
}

async function policyWhere(principalId: string, description: string, predicate: (policy: PolicyState) => boolean): Promise<PolicyState> {
  return waitFor(() => policies(principalId).find(predicate), { timeoutMs: 30_000, description });
}

function decision(input: { grantId: string; decision: ReviewDecisionKind }) {
  return buildEnvelope({
    topic: TOPICS.reviewDecisions,
    subject: input.grantId,
    source: 'enforcement-int-spec',
    data: {
      decisionId: randomUUID(),
      grantId: input.grantId,
      decision: input.decision,
      reviewer: 'reviewer@example.com',
      reason: 'not used in 90 days',
      decidedAt: new Date().toISOString(),
    },
  });
}

async function produce(...envelopes: Array<Envelope<unknown> & { subject: string }>): Promise<void> {
  await producer.send({
    topic: TOPICS.reviewDecisions,
    acks: -1,
    messages: envelopes.map((envelope) => ({ key: envelope.subject, value: JSON.stringify(envelope) })),
  });
}

describe('enforcement', () => {
  it('publishes a principal policy holding its grant and key hash, never the key secret', async () => {
    const setup = await provision();
    const secret = parseApiKey(setup.key)!.secret;
    expect(setup.prefix).toBe(parseApiKey(setup.key)!.prefix);

    const policy = await policyWhere(
      setup.principalId,
      'policy with the grant and the key',
      (p) => p.grants.some((g) => g.grantId === setup.grantId) && p.keys.some((k) => k.keyId === setup.keyId),
    );
    expect(policy.status).toBe('active');
    expect(policy.grants).toEqual([{ grantId: setup.grantId, apiId: setup.apiId, scopes: ['charges:read'] }]);
    expect(policy.keys).toEqual([
      { keyId: setup.keyId, prefix: setup.prefix, secretHash: hashKeySecret(PEPPER, secret), status: 'active', expiresAt: null, apiIds: null, scopes: null, rateLimit: null, quota: null },
    ]);

    // Principal creation, grant and key each published a new, strictly growing version.
    const versions = policies(setup.principalId).map((p) => p.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.length).toBeGreaterThanOrEqual(3);

    const catalog = await waitFor(() => events<CatalogState>(TOPICS.catalogState, setup.apiId)[0], { description: 'catalog state' });
    expect(catalog.data).toMatchObject({ apiId: setup.apiId, status: 'active', sunsetAt: null, version: 1 });
    const grant = await waitFor(() => events<AccessGrant>(TOPICS.accessGrants, setup.grantId)[0], { description: 'access grant' });
    expect(grant.data).toMatchObject({ grantId: setup.grantId, principalId: setup.principalId, status: 'active' });
    await waitFor(() => auditsOf(setup.keyId).find((a) => a.action === 'key.created' && a.actor === 'admin'), {
      description: 'key audit',
    });

    const everything = JSON.stringify(probe.messages);
    expect(everything).not.toContain(secret);

    const listed = await http<{ items: Array<Record<string, unknown>> }>('GET', `/v1/keys?principalId=${setup.principalId}`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: setup.keyId, prefix: setup.prefix, name: 'ci', status: 'active', revokedAt: null }),
    ]);
    expect(JSON.stringify(listed.body)).not.toMatch(new RegExp(`${secret}|secretHash|${hashKeySecret(PEPPER, secret)}`));
  });

  it('revoking a key republishes the policy with the key marked revoked', async () => {
    const setup = await provision();
    const before = await policyWhere(setup.principalId, 'policy with the key', (p) => p.keys.some((k) => k.keyId === setup.keyId));

    expect((await http('DELETE', `/v1/keys/${setup.keyId}`)).status).toBe(204);

    const after = await policyWhere(setup.principalId, 'policy with the key revoked', (p) =>
      p.keys.some((k) => k.keyId === setup.keyId && k.status === 'revoked'),
    );
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.grants.map((g) => g.grantId)).toEqual([setup.grantId]);
    const listed = await http<{ items: Array<{ status: string; revokedAt: string | null }> }>('GET', `/v1/keys?principalId=${setup.principalId}`);
    expect(listed.body.items[0].status).toBe('revoked');
    expect(listed.body.items[0].revokedAt).not.toBeNull();
  });

  it('a revoke decision removes the grant from a new policy version, once even when delivered twice', async () => {
    const setup = await provision();
    const granted = await policyWhere(
      setup.principalId,
      'policy with the grant and the key',
      (p) => p.grants.some((g) => g.grantId === setup.grantId) && p.keys.some((k) => k.keyId === setup.keyId),
    );

    const revoke = decision({ grantId: setup.grantId, decision: 'revoke' });
    // The same envelope twice (a redelivery), then a `keep` marker on the same key, so the same partition:
    // once the marker is audited, both copies of the revoke have been consumed.
    const marker = decision({ grantId: setup.grantId, decision: 'keep' });
    await produce(revoke, revoke);
    await produce(marker);

    const revoked = await policyWhere(setup.principalId, 'policy without the grant', (p) => p.version > granted.version);
    expect(revoked.version).toBe(granted.version + 1);
    expect(revoked.grants).toEqual([]);
    expect(revoked.keys.map((k) => [k.keyId, k.status])).toEqual([[setup.keyId, 'active']]);

    await waitFor(() => auditsOf(setup.grantId).find((a) => a.action === 'decision.keep'), { timeoutMs: 30_000, description: 'keep audited' });
    const principal = await http<{ policyVersion: number }>('GET', `/v1/principals/${setup.principalId}`);
    expect(principal.body.policyVersion).toBe(granted.version + 1);
    expect(policies(setup.principalId).filter((p) => p.version > granted.version)).toHaveLength(1);

    const revokeAudits = auditsOf(setup.grantId).filter((a) => a.action === 'decision.revoke');
    expect(revokeAudits).toHaveLength(1);
    expect(revokeAudits[0]).toMatchObject({ actor: 'reviewer@example.com', reason: 'not used in 90 days' });
    expect(revokeAudits[0].details).toMatchObject({ decisionId: revoke.data.decisionId, effect: 'revoked' });

    const grant = await http<{ status: string }>('GET', `/v1/grants/${setup.grantId}`);
    expect(grant.status).toBe(200);
    expect(grant.body.status).toBe('revoked');
    await waitFor(() => events<AccessGrant>(TOPICS.accessGrants, setup.grantId).find((e) => e.data.status === 'revoked'), {
      description: 'revoked access grant',
    });
  });

  it('a revoke decision on an already revoked grant succeeds without a new policy version', async () => {
    const setup = await provision();
    await produce(decision({ grantId: setup.grantId, decision: 'revoke' }));
    const revoked = await policyWhere(setup.principalId, 'policy without the grant', (p) => p.grants.length === 0 && p.keys.length === 1);

    const again = decision({ grantId: setup.grantId, decision: 'revoke' });
    await produce(again);
    const audit = await waitFor(
      () => auditsOf(setup.grantId).find((a) => a.details.decisionId === again.data.decisionId),
      { timeoutMs: 30_000, description: 'second revoke audited' },
    );
    expect(audit.details.effect).toBe('already-revoked');
    const principal = await http<{ policyVersion: number }>('GET', `/v1/principals/${setup.principalId}`);
    expect(principal.body.policyVersion).toBe(revoked.version);
  });

  it('dead-letters a decision naming an unknown grant', async () => {
    const unknown = decision({ grantId: randomUUID(), decision: 'revoke' });
    await produce(unknown);
    const letter = await waitFor(() => probe.where((m) => m.topic === DLQ && m.key === unknown.subject)[0], {
      timeoutMs: 30_000,
      description: 'dead letter',
    });
    expect(letter.headers['x-dlq-reason']).toContain(`unknown grant ${unknown.subject}`);
    expect((letter.value as { id: string }).id).toBe(unknown.id);
  });

  describe('admin HTTP API', () => {
    it('answers 401 without the admin token or with a wrong one', async () => {
      for (const token of [null, 'wrong-token-wrong-token']) {
        const result = await http('POST', '/v1/principals', { body: { type: 'user', displayName: 'x' }, token });
        expect(result.status).toBe(401);
        expect(result.body.type).toBe('https://attest.dev/problems/unauthenticated');
        expect(JSON.stringify(result.body)).not.toContain(ADMIN_TOKEN);
      }
      expect((await http('GET', `/v1/grants?principalId=${randomUUID()}`, { token: null })).status).toBe(401);
    });

    it('answers 400 naming the bad field', async () => {
      const bad = await http<{ errors: Array<{ field: string }> }>('POST', '/v1/principals', { body: { type: 'robot', displayName: 'x' } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e) => e.field)).toEqual(['type']);

      const badRoute = await http<{ errors: Array<{ field: string }> }>('POST', '/v1/apis', {
        body: apiBody({ routes: [{ method: 'GET', path: 'no-slash', scope: 's' }] }),
      });
      expect(badRoute.status).toBe(400);
      expect(badRoute.body.errors.map((e) => e.field)).toEqual(['routes.0.path']);

      const badQuery = await http<{ errors: Array<{ field: string }> }>('GET', '/v1/keys?principalId=nope');
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.errors.map((e) => e.field)).toEqual(['principalId']);

      const badId = await http<{ errors: Array<{ field: string }> }>('GET', '/v1/grants/not-a-uuid');
      expect(badId.status).toBe(400);
      expect(badId.body.errors.map((e) => e.field)).toEqual(['id']);
    });

    it('refuses reserved and duplicate base paths', async () => {
      for (const basePath of ['/health', '/metrics']) {
        const reserved = await http<{ errors: Array<{ field: string }> }>('POST', '/v1/apis', { body: apiBody({ basePath }) });
        expect(reserved.status).toBe(400);
        expect(reserved.body.errors.map((e) => e.field)).toEqual(['basePath']);
      }
      const body = apiBody();
      await created('/v1/apis', body);
      const duplicate = await http('POST', '/v1/apis', { body: apiBody({ basePath: body.basePath }) });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.type).toBe('https://attest.dev/problems/conflict');
    });

    it('answers 404 for unknown ids', async () => {
      const id = randomUUID();
      for (const path of [`/v1/apis/${id}`, `/v1/principals/${id}`, `/v1/grants/${id}`]) {
        const result = await http('GET', path);
        expect(result.status).toBe(404);
        expect(result.body.type).toBe('https://attest.dev/problems/not-found');
      }
      expect((await http('DELETE', `/v1/keys/${id}`)).status).toBe(404);
      expect((await http('POST', '/v1/keys', { body: { principalId: id, name: 'k' } })).status).toBe(404);
      const { id: apiId } = await created('/v1/apis', apiBody());
      expect((await http('POST', '/v1/grants', { body: { principalId: id, apiId, scopes: ['charges:read'] } })).status).toBe(404);
    });

    it('refuses a grant of a scope the API does not have, and a second active grant on the same API', async () => {
      const { id: apiId } = await created('/v1/apis', apiBody());
      const { id: principalId } = await created('/v1/principals', { type: 'user', displayName: 'Ada', email: 'ada@example.com' });
      const unknownScope = await http('POST', '/v1/grants', { body: { principalId, apiId, scopes: ['charges:read', 'refunds:write'] } });
      expect(unknownScope.status).toBe(400);
      expect(unknownScope.body.detail).toContain('refunds:write');

      await created('/v1/grants', { principalId, apiId, scopes: ['charges:read'] });
      expect((await http('POST', '/v1/grants', { body: { principalId, apiId, scopes: ['charges:write'] } })).status).toBe(409);
      const listed = await http<{ items: Array<Record<string, unknown>> }>('GET', `/v1/grants?principalId=${principalId}`);
      expect(listed.body.items).toEqual([
        expect.objectContaining({ principalId, apiId, scopes: ['charges:read'], status: 'active' }),
      ]);
    });
  });
});
