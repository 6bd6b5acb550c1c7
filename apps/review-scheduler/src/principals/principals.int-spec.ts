import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AccessGrant, Envelope, IdentityEvent, PROBLEM_TYPES, Problem, PrincipalIdentityEvent, TOPICS } from '@attest/contracts';
import { buildEnvelope } from '@attest/messaging';
import { waitFor } from '@attest/testing';
import { ReviewSchedulerHarness, startReviewScheduler } from '../testing/review-scheduler.harness';
import type { PrincipalView } from './principals.service';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'review-scheduler-principals-int-spec-admin-token';

describe('review-scheduler: principal read model from identity.events.v1', () => {
  let app: INestApplication;
  let baseUrl: string;
  let producer: Producer;
  let harness: ReviewSchedulerHarness;

  beforeAll(async () => {
    harness = await startReviewScheduler({ adminToken: ADMIN_TOKEN, clientId: 'review-scheduler-principals-int-spec' });
    ({ app, baseUrl, producer } = harness);
  });

  afterAll(() => harness?.close());

  async function get<T>(path: string, token: string | null = ADMIN_TOKEN): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: (await response.json()) as T };
  }

  const at = (iso: string) => new Date(iso);

  function principalFacts(
    principalId: string,
    kind: PrincipalIdentityEvent['kind'],
    overrides: Partial<Omit<PrincipalIdentityEvent, 'kind' | 'principalId'>> = {},
  ): IdentityEvent {
    return {
      kind,
      principalId,
      type: 'user',
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      status: 'active',
      managerId: null,
      department: 'Engineering',
      externalId: '00u1',
      source: 'okta',
      ...overrides,
    } as IdentityEvent;
  }

  function membership(principalId: string, kind: 'membership.added' | 'membership.removed', group: { id: string; name: string }): IdentityEvent {
    return { kind, principalId, groupId: group.id, groupName: group.name, source: 'okta' };
  }

  /** Publishes identity events the way identity-sync does: keyed by principal id, so one person's events stay ordered. */
  async function publish(...items: Array<{ data: IdentityEvent; occurredAt?: Date }>): Promise<Array<Envelope<IdentityEvent>>> {
    const envelopes = items.map((item) =>
      buildEnvelope({
        topic: TOPICS.identityEvents,
        subject: item.data.principalId,
        data: item.data,
        source: 'identity-sync',
        occurredAt: item.occurredAt,
      }),
    );
    await producer.send({
      topic: TOPICS.identityEvents,
      acks: -1,
      messages: envelopes.map((envelope) => ({ key: envelope.subject, value: JSON.stringify(envelope) })),
    });
    return envelopes;
  }

  async function processed(eventId: string): Promise<boolean> {
    const rows: unknown[] = await app
      .get(DataSource)
      .query(`SELECT 1 FROM review_scheduler.processed_events WHERE event_id = $1`, [eventId]);
    return rows.length > 0;
  }

  async function consumed(envelopes: Array<Envelope<unknown>>): Promise<void> {
    const last = envelopes[envelopes.length - 1];
    await waitFor(() => processed(last.id), { timeoutMs: 30_000, description: `identity event ${last.id} consumed` });
  }

  async function view(principalId: string): Promise<PrincipalView> {
    const result = await get<PrincipalView>(`/v1/principals/${principalId}`);
    expect(result.status).toBe(200);
    return result.body;
  }

  it('keeps a principal with its manager, department and groups', async () => {
    const managerId = randomUUID();
    const principalId = randomUUID();
    const platform = { id: randomUUID(), name: 'Platform' };
    const admins = { id: randomUUID(), name: 'Admins' };
    await consumed(
      await publish(
        { data: principalFacts(principalId, 'principal.upserted', { managerId, department: 'Platform Engineering' }) },
        { data: membership(principalId, 'membership.added', platform) },
        { data: membership(principalId, 'membership.added', admins) },
        { data: membership(principalId, 'membership.removed', admins) },
      ),
    );

    expect(await view(principalId)).toEqual({
      id: principalId,
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      status: 'active',
      managerId,
      department: 'Platform Engineering',
      groups: [{ groupId: platform.id, groupName: 'Platform' }],
      grants: [],
    });
  });

  it('follows the lifecycle, and applies a redelivered event once with the same result', async () => {
    const principalId = randomUUID();
    await consumed(await publish({ data: principalFacts(principalId, 'principal.upserted'), occurredAt: at('2030-01-01T00:00:00Z') }));
    const [deactivated] = await publish({ data: principalFacts(principalId, 'principal.deactivated'), occurredAt: at('2030-01-02T00:00:00Z') });
    await producer.send({
      topic: TOPICS.identityEvents,
      acks: -1,
      messages: [{ key: principalId, value: JSON.stringify(deactivated) }],
    });
    await consumed(await publish({ data: membership(principalId, 'membership.added', { id: randomUUID(), name: 'Marker' }) }));
    expect((await view(principalId)).status).toBe('deactivated');

    await consumed(await publish({ data: principalFacts(principalId, 'principal.reactivated'), occurredAt: at('2030-01-03T00:00:00Z') }));
    expect((await view(principalId)).status).toBe('active');
  });

  it('never lets an older fact overwrite a newer one', async () => {
    const principalId = randomUUID();
    const group = { id: randomUUID(), name: 'Payments' };
    await consumed(
      await publish(
        { data: principalFacts(principalId, 'principal.suspended', { displayName: 'Ada King' }), occurredAt: at('2030-02-02T00:00:00Z') },
        { data: membership(principalId, 'membership.removed', group), occurredAt: at('2030-02-02T00:00:00Z') },
        // Older facts arriving late: a full sync that read the IdP before the webhook was applied.
        { data: principalFacts(principalId, 'principal.upserted', { displayName: 'Ada Lovelace' }), occurredAt: at('2030-02-01T00:00:00Z') },
        { data: membership(principalId, 'membership.added', group), occurredAt: at('2030-02-01T00:00:00Z') },
      ),
    );
    const held = await view(principalId);
    expect(held).toMatchObject({ displayName: 'Ada King', status: 'suspended', groups: [] });

    await consumed(
      await publish(
        { data: principalFacts(principalId, 'principal.reactivated', { displayName: 'Ada King' }), occurredAt: at('2030-02-03T00:00:00Z') },
        { data: membership(principalId, 'membership.added', group), occurredAt: at('2030-02-03T00:00:00Z') },
      ),
    );
    expect(await view(principalId)).toMatchObject({ status: 'active', groups: [{ groupId: group.id, groupName: 'Payments' }] });
  });

  it('shows the principal grants with their status, orphaned ones included', async () => {
    const principalId = randomUUID();
    await consumed(await publish({ data: principalFacts(principalId, 'principal.deactivated') }));
    const now = new Date().toISOString();
    const grant: AccessGrant = {
      grantId: randomUUID(),
      principalId,
      apiId: randomUUID(),
      scopes: ['orders:read'],
      status: 'orphaned',
      createdAt: now,
      updatedAt: now,
    };
    await producer.send({
      topic: TOPICS.accessGrants,
      acks: -1,
      messages: [
        { key: grant.grantId, value: JSON.stringify(buildEnvelope({ topic: TOPICS.accessGrants, subject: grant.grantId, data: grant, source: 'enforcement' })) },
      ],
    });
    const shown = await waitFor(
      async () => {
        const current = await view(principalId);
        return current.grants.length > 0 ? current : false;
      },
      { timeoutMs: 30_000, description: 'the orphaned grant in the read model' },
    );
    expect(shown.grants).toEqual([{ grantId: grant.grantId, apiId: grant.apiId, scopes: ['orders:read'], status: 'orphaned' }]);
  });

  it('answers 404 for an unknown principal, 400 for a bad id, 401 without the admin token', async () => {
    const unknown = await get<Problem>(`/v1/principals/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe(PROBLEM_TYPES.notFound);

    const bad = await get<Problem>('/v1/principals/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['id']);

    const anonymous = await get<Problem>(`/v1/principals/${randomUUID()}`, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.type).toBe(PROBLEM_TYPES.unauthenticated);
  });
});
