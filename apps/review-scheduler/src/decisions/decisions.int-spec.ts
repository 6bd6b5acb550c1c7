import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AccessGrant, PROBLEM_TYPES, Problem, ReviewDecision, TOPICS } from '@attest/contracts';
import { buildEnvelope } from '@attest/messaging';
import { AdminClient, AdminRequestOptions, HttpResult, TopicProbe, waitFor } from '@attest/testing';
import { ReviewSchedulerHarness, startReviewScheduler } from '../testing/review-scheduler.harness';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'review-scheduler-int-spec-admin-token';

describe('review-scheduler: decisions on grants', () => {
  let app: INestApplication;
  let baseUrl: string;
  let producer: Producer;
  let probe: TopicProbe;
  let harness: ReviewSchedulerHarness;

  beforeAll(async () => {
    harness = await startReviewScheduler({ adminToken: ADMIN_TOKEN, clientId: 'review-scheduler-int-spec' });
    ({ app, baseUrl, producer } = harness);
    probe = await new TopicProbe(harness.kafka, [TOPICS.reviewDecisions]).start();
  });

  afterAll(async () => {
    await probe?.stop();
    await harness?.close();
  });

  const admin = new AdminClient(() => baseUrl, ADMIN_TOKEN);
  const http = <T = unknown>(method: 'GET' | 'POST', path: string, options?: AdminRequestOptions) => admin.request<T>(method, path, options);

  function grantState(overrides: Partial<AccessGrant> = {}): AccessGrant {
    const now = new Date().toISOString();
    return {
      grantId: randomUUID(),
      principalId: randomUUID(),
      apiId: randomUUID(),
      scopes: ['orders:read'],
      status: 'active',
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
  }

  /** Publishes a grant's state the way enforcement does: keyed by grant id on the compacted topic. */
  async function announce(grant: AccessGrant): Promise<string> {
    const envelope = buildEnvelope({ topic: TOPICS.accessGrants, subject: grant.grantId, data: grant, source: 'enforcement' });
    await producer.send({
      topic: TOPICS.accessGrants,
      acks: -1,
      messages: [{ key: grant.grantId, value: JSON.stringify(envelope) }],
    });
    return envelope.id;
  }

  /** Posts until the grant has reached the read model; every answer before that is a 404. */
  async function decideOnceKnown(body: Record<string, unknown>): Promise<HttpResult<{ decisionId: string }>> {
    return waitFor(
      async () => {
        const result = await http<{ decisionId: string }>('POST', '/v1/decisions', { body });
        return result.status === 404 ? false : result;
      },
      { timeoutMs: 30_000, description: `grant ${String(body.grantId)} to reach the read model` },
    );
  }

  it('accepts a decision on a known grant and publishes it on review.decisions.v1 keyed by grant id', async () => {
    const grant = grantState();
    await announce(grant);

    const accepted = await decideOnceKnown({
      grantId: grant.grantId,
      decision: 'revoke',
      reviewer: 'alice@example.com',
      reason: 'not used in 90 days',
    });
    expect(accepted.status).toBe(202);
    const { decisionId } = accepted.body;
    expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);

    const published = await waitFor(
      () => probe.where((m) => (m.value as { data?: ReviewDecision } | null)?.data?.decisionId === decisionId)[0],
      { timeoutMs: 30_000, description: `decision ${decisionId} on ${TOPICS.reviewDecisions}` },
    );
    expect(published.key).toBe(grant.grantId);
    expect(published.value).toMatchObject({
      type: 'review.decision',
      version: 1,
      source: 'review-scheduler',
      subject: grant.grantId,
      data: {
        decisionId,
        grantId: grant.grantId,
        decision: 'revoke',
        reviewer: 'alice@example.com',
        reason: 'not used in 90 days',
      },
    });

    const recorded = await http<ReviewDecision>('GET', `/v1/decisions/${decisionId}`);
    expect(recorded.status).toBe(200);
    expect(recorded.body).toEqual((published.value as { data: ReviewDecision }).data);
  });

  it('answers 404 for a decision on a grant it has never heard of', async () => {
    const result = await http<Problem>('POST', '/v1/decisions', {
      body: { grantId: randomUUID(), decision: 'keep', reviewer: 'bob@example.com', reason: 'still needed' },
    });
    expect(result.status).toBe(404);
    expect(result.contentType).toContain('application/problem+json');
    expect(result.body.type).toBe(PROBLEM_TYPES.notFound);
  });

  it('answers 404 for a decision id that was never recorded', async () => {
    const result = await http<Problem>('GET', `/v1/decisions/${randomUUID()}`);
    expect(result.status).toBe(404);
    expect(result.body.type).toBe(PROBLEM_TYPES.notFound);
  });

  it('answers 400 naming each invalid field', async () => {
    const result = await http<Problem>('POST', '/v1/decisions', {
      body: { grantId: 'not-a-uuid', decision: 'maybe', reviewer: 'carol@example.com', reason: 'n/a' },
    });
    expect(result.status).toBe(400);
    expect(result.body.type).toBe(PROBLEM_TYPES.validation);
    expect(result.body.errors?.map((e) => e.field).sort()).toEqual(['decision', 'grantId']);

    const badId = await http<Problem>('GET', '/v1/decisions/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.errors?.map((e) => e.field)).toEqual(['id']);
  });

  it('answers 401 without the admin token', async () => {
    const grant = grantState();
    const result = await http<Problem>('POST', '/v1/decisions', {
      token: null,
      body: { grantId: grant.grantId, decision: 'keep', reviewer: 'dave@example.com', reason: 'n/a' },
    });
    expect(result.status).toBe(401);
    expect(result.body.type).toBe(PROBLEM_TYPES.unauthenticated);
    expect((await http('GET', `/v1/decisions/${randomUUID()}`, { token: 'wrong-token-of-enough-length' })).status).toBe(401);
  });

  it('serves Prometheus metrics without the admin token, counting what it dead-letters', async () => {
    const deadLettered = async (): Promise<number> => {
      const result = await http('GET', '/metrics', { token: null });
      expect(result.status).toBe(200);
      expect(result.text).toContain('process_cpu_user_seconds_total');
      const samples = [...result.text.matchAll(/^attest_messages_dead_lettered_total\{topic="access\.grants\.v1",consumer="[^"]+"\} (\d+)$/gm)];
      return samples.reduce((sum, sample) => sum + Number(sample[1]), 0);
    };
    const before = await deadLettered();
    await producer.send({ topic: TOPICS.accessGrants, acks: -1, messages: [{ key: randomUUID(), value: '{"not":"an envelope"}' }] });
    await waitFor(async () => (await deadLettered()) === before + 1, { description: 'the invalid grant state dead-lettered and counted' });
  });

  it('never lets an older grant state overwrite a newer one in the read model', async () => {
    const dataSource = app.get(DataSource);
    const statusOf = async (grantId: string): Promise<string | undefined> =>
      (await dataSource.query(`SELECT status FROM review_scheduler.grants WHERE grant_id = $1`, [grantId]))[0]?.status;
    const processed = async (eventId: string): Promise<boolean> =>
      (await dataSource.query(`SELECT 1 FROM review_scheduler.processed_events WHERE event_id = $1`, [eventId])).length > 0;

    const newer = grantState({ status: 'revoked', updatedAt: '2030-01-02T00:00:00.000Z' });
    await announce(newer);
    const staleEventId = await announce({ ...newer, status: 'active', updatedAt: '2030-01-01T00:00:00.000Z' });
    await waitFor(() => processed(staleEventId), { timeoutMs: 30_000, description: 'the stale grant state to be consumed' });
    expect(await statusOf(newer.grantId)).toBe('revoked');

    const newest = await announce({ ...newer, status: 'orphaned', updatedAt: '2030-01-03T00:00:00.000Z' });
    await waitFor(() => processed(newest), { timeoutMs: 30_000, description: 'the newest grant state to be consumed' });
    expect(await statusOf(newer.grantId)).toBe('orphaned');
  });
});
