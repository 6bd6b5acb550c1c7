import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { Envelope, IdentityEvent, PROBLEM_TYPES, TOPICS } from '@attest/contracts';
import { createKafkaClient, parseBrokers } from '@attest/messaging';
import { AdminClient, AdminRequestOptions, OktaStandIn, TEST_DATABASE_URL, TopicProbe, waitFor } from '@attest/testing';
import type { FullSyncRunner } from './sync/full-sync.runner';
import type { SyncRunView, SyncStatusResponse } from './sync/dto/sync-status.dto';

/**
 * identity-sync against the Okta stand-in driven by the real @okta/okta-sdk-nodejs, real Postgres and real
 * Kafka: full sync (10,000 users, 500 groups), rate limits, resume after a stop, System Log polling,
 * Event Hooks, and one identity across Okta and SCIM. The tests run in order and share the mirror.
 */
jest.setTimeout(180_000);

const ADMIN_TOKEN = 'identity-sync-okta-int-spec-admin';
const OKTA_TOKEN = 'okta-int-spec-api-token';
const HOOK_HEADER = 'x-attest-hook-secret';
const HOOK_SECRET = 'okta-int-spec-shared-hook-secret';
const SCIM_TOKEN = 'okta-int-spec-scim-bearer-token';
const POLL_INTERVAL_MS = 400;
const USERS = 10_000;
const GROUPS = 500;
/** 50 user pages, 1 (empty) page of deprovisioned users, 3 group pages, one member page per group. */
const FULL_SYNC_PAGES = USERS / 200 + 1 + Math.ceil(GROUPS / 200) + GROUPS;

interface RunningApp {
  app: INestApplication;
  url: string;
  runner: FullSyncRunner;
  dataSource: DataSource;
}

const standIn = new OktaStandIn({ token: OKTA_TOKEN });
let probe: TopicProbe;
let seeded: { userIds: string[]; groupIds: string[] };
let current: RunningApp | null = null;

/** Starts the service on the test database with these settings; modules are re-imported so they read them. */
async function startApp(settings: Record<string, string>): Promise<RunningApp> {
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: TEST_DATABASE_URL,
    ATTEST_ADMIN_TOKEN: ADMIN_TOKEN,
    OKTA_ORG_URL: standIn.url,
    OKTA_API_TOKEN: OKTA_TOKEN,
    OKTA_MAX_RETRIES: '2',
    OKTA_FULL_SYNC_INTERVAL_MS: '0',
    OKTA_EVENT_HOOK_HEADER: HOOK_HEADER,
    OKTA_EVENT_HOOK_SECRET: HOOK_SECRET,
    OKTA_EVENT_HOOK_WORKER_INTERVAL_MS: '200',
    SCIM_BEARER_TOKEN: SCIM_TOKEN,
    ...settings,
  });
  jest.resetModules();
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { FullSyncRunner: Runner } = await import('./sync/full-sync.runner');
  const { DataSource: Source } = await import('typeorm');
  const app = await NestFactory.create(AppModule, { logger: ['error'], abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  current = { app, url, runner: app.get(Runner), dataSource: app.get(Source) };
  return current;
}

const admin = new AdminClient(() => current!.url, ADMIN_TOKEN);
const http = <T = Record<string, unknown>>(method: string, path: string, options?: AdminRequestOptions) => admin.request<T>(method, path, options);

const status = async () => (await http<SyncStatusResponse>('GET', '/v1/sync/status')).body;

async function finishedRun(runId: string, timeoutMs = 150_000): Promise<SyncRunView> {
  return waitFor(
    async () => {
      const run = (await http<SyncRunView>('GET', `/v1/sync/runs/${runId}`)).body;
      if (run.status === 'failed') throw new Error(`sync ${runId} failed: ${JSON.stringify(run.errors)}`);
      return run.status === 'succeeded' ? run : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `sync run ${runId} to succeed` },
  );
}

async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  return current!.dataSource.query(query, params);
}

async function principalOf(oktaId: string): Promise<{ id: string; status: string; department: string | null; manager_principal_id: string | null }> {
  const [row] = await sql<{ id: string; status: string; department: string | null; manager_principal_id: string | null }>(
    `SELECT id, status, department, manager_principal_id FROM identity_sync.principals WHERE okta_id = $1`,
    [oktaId],
  );
  return row;
}

function identityEvents(principalId: string): IdentityEvent[] {
  return probe.messages.filter((m) => m.key === principalId).map((m) => (m.value as Envelope<IdentityEvent>).data);
}

async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, description: string, timeoutMs = 20_000): Promise<T> {
  return waitFor(check, { timeoutMs, intervalMs: 50, description });
}

beforeAll(async () => {
  await standIn.start();
  seeded = standIn.seed({ users: USERS, groups: GROUPS });
  await startApp({ OKTA_SYNC_ON_START: 'false', OKTA_LOG_POLL_INTERVAL_MS: '0' });
  // The test database is shared: this suite owns the Okta side of the mirror and starts it empty.
  await sql(`DELETE FROM identity_sync.memberships m USING identity_sync.groups g WHERE g.id = m.group_id AND g.okta_id IS NOT NULL`);
  await sql(`DELETE FROM identity_sync.memberships m USING identity_sync.principals p WHERE p.id = m.principal_id AND p.okta_id IS NOT NULL`);
  await sql(`DELETE FROM identity_sync.groups WHERE okta_id IS NOT NULL`);
  await sql(`DELETE FROM identity_sync.principals WHERE okta_id IS NOT NULL`);
  await sql(`DELETE FROM identity_sync.sync_runs`);
  await sql(`DELETE FROM identity_sync.system_log_cursor`);
  await sql(`DELETE FROM identity_sync.event_hook_deliveries`);
  const kafka = createKafkaClient({ clientId: 'identity-sync-okta-int-spec', brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') });
  // Only what this suite publishes: the shared topic keeps every earlier run's events.
  probe = await new TopicProbe(kafka, [TOPICS.identityEvents], { from: 'end' }).start();
});

afterAll(async () => {
  await current?.app.close();
  await probe?.stop();
  await standIn.stop();
});

describe('full sync', () => {
  it('mirrors 10,000 users and 500 groups with every membership and manager, publishing one event per fact', async () => {
    const mark = standIn.requestCount;
    const started = await http<{ runId: string; resumed: boolean }>('POST', '/v1/sync');
    expect(started.status).toBe(202);
    expect(started.body.resumed).toBe(false);
    const again = await http<{ type: string }>('POST', '/v1/sync');
    expect(again.status).toBe(409);
    expect(again.body.type).toBe(PROBLEM_TYPES.conflict);

    const run = await finishedRun(started.body.runId);
    const memberships = seeded.groupIds.reduce((sum, id) => sum + standIn.org.memberIds(id).length, 0);
    expect(run.counts).toEqual({ users: USERS, groups: GROUPS, memberships, deleted: 0, eventsPublished: USERS + memberships });
    expect(run.pages).toBe(FULL_SYNC_PAGES);
    expect(standIn.requestCount - mark).toBe(FULL_SYNC_PAGES);
    expect(run.errors).toEqual([]);
    expect((await status()).lastRun?.id).toBe(run.id);

    const [counts] = await sql<{ principals: number; groups: number; memberships: number; managed: number }>(
      `SELECT (SELECT count(*)::int FROM identity_sync.principals WHERE okta_id IS NOT NULL AND status = 'active') AS principals,
              (SELECT count(*)::int FROM identity_sync.groups WHERE okta_id IS NOT NULL) AS groups,
              (SELECT count(*)::int FROM identity_sync.memberships m JOIN identity_sync.groups g ON g.id = m.group_id WHERE g.okta_id IS NOT NULL) AS memberships,
              (SELECT count(*)::int FROM identity_sync.principals WHERE okta_id IS NOT NULL AND manager_principal_id IS NOT NULL) AS managed`,
    );
    expect(counts).toEqual({ principals: USERS, groups: GROUPS, memberships, managed: USERS - 1 });

    // A sampled person: manager linked by Attest id, department, and the events consumers see.
    const oktaUser = standIn.org.users.get(seeded.userIds[4321])!;
    const person = await principalOf(oktaUser.id);
    const manager = await principalOf(oktaUser.profile.managerId!);
    expect(person).toMatchObject({ status: 'active', department: oktaUser.profile.department, manager_principal_id: manager.id });
    const upserted = await eventually(() => identityEvents(person.id).find((e) => e.kind === 'principal.upserted'), 'the sampled principal on Kafka');
    expect(upserted).toEqual({
      kind: 'principal.upserted',
      principalId: person.id,
      type: 'user',
      displayName: oktaUser.profile.displayName,
      email: oktaUser.profile.email,
      status: 'active',
      managerId: manager.id,
      department: oktaUser.profile.department,
      externalId: oktaUser.id,
      source: 'okta',
    });
    const groupsOfPerson = seeded.groupIds.filter((id) => standIn.org.members.get(id)!.has(oktaUser.id));
    await eventually(
      () => identityEvents(person.id).filter((e) => e.kind === 'membership.added').length === groupsOfPerson.length,
      'membership.added events of the sampled principal',
    );
  });

  it('publishes nothing when re-syncing an unchanged directory', async () => {
    const started = await http<{ runId: string }>('POST', '/v1/sync');
    const run = await finishedRun(started.body.runId);
    expect(run.counts).toMatchObject({ users: USERS, groups: GROUPS, eventsPublished: 0, deleted: 0 });
  });

  it('catches changes whose events were all missed: a profile change, a deprovisioning and a deletion', async () => {
    // Changed behind the log's back, so only a full sync can see them.
    const [changed, deprovisioned, deleted] = [seeded.userIds[10], seeded.userIds[11], seeded.userIds[12]].map((id) => standIn.org.users.get(id)!);
    const bump = (user: typeof changed) => (user.lastUpdated = new Date().toISOString());
    changed.profile.department = 'Missed-Change';
    bump(changed);
    deprovisioned.status = 'DEPROVISIONED';
    bump(deprovisioned);
    const deletedGroups = seeded.groupIds.filter((id) => standIn.org.members.get(id)!.has(deleted.id));
    standIn.org.users.delete(deleted.id);
    for (const members of standIn.org.members.values()) members.delete(deleted.id);

    const run = await finishedRun((await http<{ runId: string }>('POST', '/v1/sync')).body.runId);
    expect(run.counts.deleted).toBe(1);
    // One upsert, one deactivation, one deletion, and the deleted user's memberships removed.
    expect(run.counts.eventsPublished).toBe(3 + deletedGroups.length);
    expect(await principalOf(changed.id)).toMatchObject({ status: 'active', department: 'Missed-Change' });
    expect((await principalOf(deprovisioned.id)).status).toBe('deactivated');
    const gone = await principalOf(deleted.id);
    expect(gone.status).toBe('deleted');
    await eventually(() => identityEvents(gone.id).some((e) => e.kind === 'principal.deleted'), 'principal.deleted on Kafka');
  });

  it('waits out 429s in the middle of a sync (even those the SDK gave up on), retries a failed page, and still syncs everything', async () => {
    const mark = standIn.requestCount;
    const stop = current!.runner.observe({
      pageCommitted: ({ pages }) => {
        // Four 429s in a row: the SDK (2 retries) gives up after three, the sync waits out the fourth itself.
        if (pages === 10) standIn.failNext(4, { status: 429, resetInSeconds: 0 });
        if (pages === 30) standIn.failNext(1, { status: 503 });
      },
    });
    try {
      const run = await finishedRun((await http<{ runId: string }>('POST', '/v1/sync')).body.runId);
      expect(run.rateLimit.waited429).toBeGreaterThanOrEqual(4);
      expect(run.counts.users).toBe(USERS - 1);
      expect(run.errors).toEqual([expect.objectContaining({ stage: 'users', message: expect.stringMatching(/503.*\(retrying\)$/) })]);
      expect(standIn.requests.slice(mark).filter((r) => r.status === 429)).toHaveLength(4);
    } finally {
      stop();
    }
  });

  it('holds requests back when X-Rate-Limit-Remaining reaches the reserve, instead of drawing 429s', async () => {
    // Tighter than the sync's own pace, so several windows run dry.
    standIn.rateLimit({ limit: 100, windowSeconds: 1 });
    const mark = standIn.requestCount;
    try {
      const run = await finishedRun((await http<{ runId: string }>('POST', '/v1/sync')).body.runId);
      expect(run.rateLimit.pauses).toBeGreaterThanOrEqual(2);
      expect(run.rateLimit.waited429).toBe(0);
      expect(standIn.requests.slice(mark).filter((r) => r.status === 429)).toHaveLength(0);
      expect(run.counts.users).toBe(USERS - 1);
    } finally {
      standIn.rateLimit({ limit: 100_000, windowSeconds: 60 });
    }
  });

  it('resumes a sync stopped half-way from its cursor after a restart, instead of starting over', async () => {
    const stoppedAfterPages = 20;
    let closing: Promise<void> | null = null;
    const app = current!.app;
    current!.runner.observe({
      pageCommitted: ({ pages }) => {
        if (pages === stoppedAfterPages && !closing) closing = app.close();
      },
    });
    const started = await http<{ runId: string }>('POST', '/v1/sync', { body: { fresh: true } });
    expect(started.status).toBe(202);
    const { runId } = started.body;
    await eventually(() => closing !== null, 'the service to be stopped mid-sync');
    await closing;
    current = null;

    const stopped = await standaloneQuery<{ status: string; stage: string; cursor: { after: string }; pages: number }>(
      `SELECT status, stage, cursor, pages FROM identity_sync.sync_runs WHERE id = $1`,
      [runId],
    );
    // Stopping finishes the page in hand, so the run may have committed a page or two more than asked.
    expect(stopped).toMatchObject({ status: 'interrupted', stage: 'users' });
    expect(stopped.pages).toBeGreaterThanOrEqual(stoppedAfterPages);
    expect(stopped.pages).toBeLessThan(USERS / 200);
    expect(stopped.cursor.after).toMatch(/^00u/);

    const mark = standIn.requestCount;
    await startApp({ OKTA_SYNC_ON_START: 'true', OKTA_LOG_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS) });
    const run = await finishedRun(runId);
    expect(run.attempts).toBe(2);
    expect(run.pages).toBe(FULL_SYNC_PAGES);
    const userPages = standIn.requests.slice(mark).filter((r) => r.url.startsWith('/api/v1/users?') && !r.url.includes('search='));
    expect(userPages[0].url).toContain(`after=${stopped.cursor.after}`);
    expect(userPages).toHaveLength(USERS / 200 - stopped.pages);
  });
});

/** A query while no service runs (between a stop and a restart). */
async function standaloneQuery<T>(query: string, params: unknown[]): Promise<T> {
  const { DataSource: Source } = await import('typeorm');
  const dataSource = await new Source({ type: 'postgres', url: TEST_DATABASE_URL }).initialize();
  try {
    const [row] = await dataSource.query(query, params);
    return row as T;
  } finally {
    await dataSource.destroy();
  }
}

describe('System Log', () => {
  // How fast is the bench's to measure ("Okta deactivation → gateway 401"): a deadline of a few seconds here failed on loaded machines, not on wrong code.
  it('applies a deactivation from the System Log, with no Event Hook', async () => {
    const oktaId = seeded.userIds[100];
    const principal = await principalOf(oktaId);
    standIn.setStatus(oktaId, 'DEPROVISIONED');
    await eventually(async () => (await principalOf(oktaId)).status === 'deactivated', 'the deactivation');
    const event = await eventually(() => identityEvents(principal.id).find((e) => e.kind === 'principal.deactivated'), 'principal.deactivated');
    expect(event).toMatchObject({ principalId: principal.id, status: 'deactivated', source: 'okta' });
  });

  it('applies creations, profile and manager changes, suspensions and memberships from the log', async () => {
    const { user } = standIn.addUser({ profile: { firstName: 'Log', lastName: 'Hire', department: 'Data', managerId: seeded.userIds[1] } });
    standIn.updateUser(seeded.userIds[101], { department: 'Legal', managerId: seeded.userIds[2] });
    standIn.setStatus(seeded.userIds[102], 'SUSPENDED');
    standIn.addMembership(seeded.groupIds[0], user.id);
    standIn.removeMembership(seeded.groupIds[1], standIn.org.memberIds(seeded.groupIds[1])[0]);

    const hire = await eventually(async () => (await principalOf(user.id)) ?? undefined, 'the new hire');
    const [head, otherHead] = [await principalOf(seeded.userIds[1]), await principalOf(seeded.userIds[2])];
    expect(hire.manager_principal_id).toBe(head.id);
    await eventually(async () => (await principalOf(seeded.userIds[101])).manager_principal_id === otherHead.id, 'the manager change');
    await eventually(async () => (await principalOf(seeded.userIds[102])).status === 'suspended', 'the suspension');
    await eventually(() => identityEvents(hire.id).some((e) => e.kind === 'membership.added'), 'the new membership');
    const moved = identityEvents((await principalOf(seeded.userIds[101])).id).filter((e) => e.kind === 'principal.upserted').pop();
    expect(moved).toMatchObject({ department: 'Legal', managerId: otherHead.id });
    const { eventsApplied, lastError } = (await status()).systemLog;
    expect(lastError).toBeNull();
    expect(eventsApplied).toBeGreaterThanOrEqual(6);
  });
});

describe('Okta Event Hooks', () => {
  const hookUrl = () => `${current!.url}/v1/hooks/okta`;
  const inboxRows = async (eventId: string) =>
    sql<{ processed_at: Date | null }>(`SELECT processed_at FROM identity_sync.event_hook_deliveries WHERE event_id = $1`, [eventId]);
  const processed = async (eventId: string) => (await inboxRows(eventId))[0]?.processed_at != null;

  beforeAll(async () => {
    const hook = await standIn.registerEventHook({ url: hookUrl(), authHeaderName: HOOK_HEADER, authHeaderValue: HOOK_SECRET });
    expect(hook.verified).toBe(true);
  });

  it('answers the verification challenge only with the shared secret', async () => {
    const ok = await http<{ verification: string }>('GET', '/v1/hooks/okta', { token: null, headers: { [HOOK_HEADER]: HOOK_SECRET, 'x-okta-verification-challenge': 'c-123' } });
    expect(ok).toMatchObject({ status: 200, body: { verification: 'c-123' } });
    const wrong = await http('GET', '/v1/hooks/okta', { token: null, headers: { [HOOK_HEADER]: 'nope', 'x-okta-verification-challenge': 'c-123' } });
    expect(wrong.status).toBe(401);
  });

  it('refuses a forged delivery (wrong or missing secret) with 401, storing and changing nothing', async () => {
    const victim = seeded.userIds[200];
    // Changed in Okta without an event: only a processed delivery naming the user would make the mirror notice.
    standIn.org.users.get(victim)!.status = 'DEPROVISIONED';
    standIn.org.users.get(victim)!.lastUpdated = new Date().toISOString();
    const event = { ...standIn.systemLog[standIn.systemLog.length - 1], uuid: randomUUID(), eventType: 'user.lifecycle.deactivate' };
    event.target = [{ id: victim, type: 'User', alternateId: 'x', displayName: 'x', detailEntry: null }];
    const forged = await standIn.deliverEventHook([event], { authHeaderValue: 'guessed-secret' });
    const missing = await standIn.deliverEventHook([event], { omitAuthHeader: true });
    expect([forged.status, missing.status]).toEqual([401, 401]);
    expect(JSON.parse(forged.responseBody).type).toBe(PROBLEM_TYPES.unauthenticated);
    expect(forged.responseBody).not.toContain(HOOK_SECRET);

    // A genuine delivery sent afterwards is applied; by then a stored forgery would have been too.
    const { events } = standIn.setStatus(seeded.userIds[201], 'SUSPENDED');
    const genuine = await standIn.deliverEventHook(events);
    await eventually(() => processed(genuine.eventId), 'the genuine delivery to be applied');
    expect(await inboxRows(forged.eventId)).toHaveLength(0);
    expect((await principalOf(victim)).status).toBe('active');
  });

  it('acknowledges a delivery at once, applies it, and applies a redelivery of the same eventId only once', async () => {
    const oktaId = seeded.userIds[300];
    const principal = await principalOf(oktaId);
    const { events } = standIn.setStatus(oktaId, 'DEPROVISIONED');
    // Every System Log event of this suite came after the service's first poll, so the poll has read them all at this count.
    const logged = standIn.systemLog.length;
    const first = await standIn.deliverEventHook(events);
    expect(first.status).toBe(200);
    await eventually(() => processed(first.eventId), 'the delivery to be applied');
    expect((await principalOf(oktaId)).status).toBe('deactivated');
    // The System Log saw the same change; let it pass so that only the redelivery could react to what follows.
    await eventually(async () => (await status()).systemLog.eventsApplied >= logged, 'the System Log poll to pass the change');

    // Changed without an event: re-applying the delivery would re-read the user and publish this.
    standIn.org.users.get(oktaId)!.profile.department = 'Redelivery-Probe';
    standIn.org.users.get(oktaId)!.lastUpdated = new Date().toISOString();
    const redelivered = await standIn.deliverEventHook(events, { eventId: first.eventId });
    expect(redelivered.status).toBe(200);

    const sentinel = await standIn.deliverEventHook(standIn.setStatus(seeded.userIds[301], 'SUSPENDED').events);
    await eventually(() => processed(sentinel.eventId), 'a later delivery to be applied');
    expect(await inboxRows(first.eventId)).toHaveLength(1);
    expect((await principalOf(oktaId)).department).not.toBe('Redelivery-Probe');
    await eventually(() => identityEvents(principal.id).some((e) => e.kind === 'principal.deactivated'), 'principal.deactivated');
    const published = identityEvents(principal.id).filter((e) => e.kind !== 'membership.added');
    expect(published.map((e) => e.kind)).toEqual(['principal.upserted', 'principal.deactivated']);
  });

  it('applies user deletion and group membership deliveries', async () => {
    const group = seeded.groupIds[5];
    const member = standIn.org.memberIds(group)[0];
    const principal = await principalOf(member);
    const removal = await standIn.deliverEventHook(standIn.removeMembership(group, member).events);
    expect(removal.status).toBe(200);
    await eventually(() => identityEvents(principal.id).some((e) => e.kind === 'membership.removed'), 'membership.removed');

    const doomed = seeded.userIds[400];
    const doomedPrincipal = await principalOf(doomed);
    await standIn.deliverEventHook(standIn.deleteUser(doomed).events);
    await eventually(async () => (await principalOf(doomed)).status === 'deleted', 'the deletion');
    await eventually(() => identityEvents(doomedPrincipal.id).some((e) => e.kind === 'principal.deleted'), 'principal.deleted');
  });

  it('never lets an older read of a user\'s groups, or of a group\'s members, undo a newer one, whichever commits last', async () => {
    const { DirectoryService } = await import('./directory/directory.service');
    const directory = current!.app.get(DirectoryService);
    const group = seeded.groupIds[6];
    const member = standIn.org.memberIds(group)[0];
    const principal = await principalOf(member);
    const [{ id: groupId }] = await sql<{ id: string }>(`SELECT id FROM identity_sync.groups WHERE okta_id = $1`, [group]);
    const isMember = async () => (await sql(`SELECT 1 FROM identity_sync.memberships WHERE group_id = $1 AND principal_id = $2`, [groupId, principal.id])).length === 1;
    const replace = (groupIds: Map<string, string>, readAt: Date) =>
      directory.transaction((tx) => directory.replaceOktaMembershipsOfUser(tx, { oktaUserId: member, groupIds, readAt }));
    const t = Date.now() + 60_000; // past any read the suite's own appliers made of this user
    expect(await isMember()).toBe(true);

    // Read at t+2: no longer in the group. A read from t+1, still listing it, commits after.
    expect((await replace(new Map(), new Date(t + 2000))).events).toBe(1);
    expect(await isMember()).toBe(false);
    expect(await replace(new Map([[group, groupId]]), new Date(t + 1000))).toMatchObject({ memberships: 0, events: 0 });
    expect(await replace(new Map([[group, groupId]]), new Date(t + 2000))).toMatchObject({ memberships: 0, events: 0 });
    expect(await isMember()).toBe(false);

    // A newer read is applied.
    expect((await replace(new Map([[group, groupId]]), new Date(t + 3000))).events).toBe(1);
    expect(await isMember()).toBe(true);

    // A full sync's page of the group's members against a read of the user's groups, both ways round.
    const { oktaUserFacts } = await import('./okta/domain/okta-facts');
    const page = (readAt: number) =>
      directory.transaction((tx) =>
        directory.applyOktaGroupMembers(tx, [
          { groupId, members: [oktaUserFacts(standIn.org.userByIdOrLogin(member)!)], readAt: new Date(t + readAt), listedSince: null },
        ]),
      );
    await page(5000); // listed at t+5
    expect(await replace(new Map(), new Date(t + 4000))).toMatchObject({ events: 0 }); // a read from t+4 without it is older
    expect(await isMember()).toBe(true);
    expect((await replace(new Map(), new Date(t + 6000))).events).toBe(1); // a read from t+6 without it is newer
    expect(await isMember()).toBe(false);
    expect(await page(5500)).toMatchObject({ events: 0 }); // a page from t+5.5 listing it is older than that read
    expect(await isMember()).toBe(false);
    expect((await page(7000)).events).toBe(1);
    expect(await isMember()).toBe(true);
  });

  it('rejects a delivery without an eventId with a problem naming the field', async () => {
    const response = await http<{ errors: Array<{ field: string }> }>('POST', '/v1/hooks/okta', {
      token: null,
      headers: { [HOOK_HEADER]: HOOK_SECRET },
      body: { data: { events: [] } },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e) => e.field)).toContain('eventId');
  });
});

describe('one identity, one id', () => {
  const scim = (method: string, path: string, body?: unknown) =>
    http<Record<string, unknown>>(method, `/scim/v2${path}`, { token: SCIM_TOKEN, body, headers: { 'content-type': 'application/scim+json' } });

  it('gives a person pushed over SCIM the id Okta already gave them', async () => {
    const oktaUser = standIn.org.users.get(seeded.userIds[500])!;
    const principal = await principalOf(oktaUser.id);
    const created = await scim('POST', '/Users', { userName: oktaUser.profile.login.toUpperCase(), externalId: 'entra-500', active: true });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe(principal.id);
  });

  it('links a user Okta creates later to the principal SCIM created first', async () => {
    const login = `scim-first-${Date.now()}@example.com`;
    const created = await scim('POST', '/Users', { userName: login, emails: [{ value: login, primary: true }], name: { givenName: 'Scim', familyName: 'First' } });
    expect(created.status).toBe(201);
    const { user } = standIn.addUser({ profile: { firstName: 'Scim', lastName: 'First', login, email: login } });
    const linked = await eventually(async () => (await principalOf(user.id)) ?? undefined, 'the Okta user to be mirrored');
    expect(linked.id).toBe(created.body.id);
    const [{ count }] = await sql<{ count: number }>(`SELECT count(*)::int AS count FROM identity_sync.principals WHERE lower(user_name) = lower($1)`, [login]);
    expect(count).toBe(1);
  });
});

describe('admin API', () => {
  it('reports the last run, the System Log and the Event Hooks in the status', async () => {
    const body = await status();
    expect(body).toMatchObject({ status: 'idle', okta: { configured: true, orgUrl: standIn.url }, systemLog: { enabled: true, intervalMs: POLL_INTERVAL_MS }, eventHooks: { enabled: true, failing: 0 } });
    expect(body.lastRun).toMatchObject({ status: 'succeeded', stage: 'done' });
    expect(JSON.stringify(body)).not.toContain(OKTA_TOKEN);
  });

  it('answers 400 naming a bad field, 404 for an unknown run, and 401 without the admin token', async () => {
    const bad = await http<{ errors: Array<{ field: string }> }>('POST', '/v1/sync', { body: { fresh: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['fresh']);
    expect((await http('GET', `/v1/sync/runs/${randomUUID()}`)).status).toBe(404);
    expect((await http('GET', '/v1/sync/status', { token: null })).status).toBe(401);
    expect((await http('POST', '/v1/sync', { token: 'wrong-admin-token' })).status).toBe(401);
  });

  it('looks a synced person up by e-mail', async () => {
    const oktaUser = standIn.org.users.get(seeded.userIds[600])!;
    const found = await http<{ total: number; items: Array<{ id: string; oktaId: string }> }>('GET', `/v1/directory/principals?email=${encodeURIComponent(oktaUser.profile.email)}`);
    expect(found.body.total).toBe(1);
    expect(found.body.items[0]).toMatchObject({ id: (await principalOf(oktaUser.id)).id, oktaId: oktaUser.id });
  });
});
