import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { Client, DefaultRequestExecutor } from '@okta/okta-sdk-nodejs';
import type { Collection } from '@okta/okta-sdk-nodejs/src/types/collection';
import { EventHookBody } from './okta-event-hooks';
import { OktaStandIn } from './okta-stand-in.server';

const TOKEN = 'stand-in-test-token';

async function collect<T>(collection: Collection<T>): Promise<T[]> {
  const items: T[] = [];
  await collection.each((item) => {
    items.push(item);
  });
  return items;
}

/** A tiny Event Hook receiver: answers Okta's verification challenge and accepts deliveries that carry the shared secret. */
class HookReceiver {
  readonly calls: Array<{ method: string; headers: IncomingHttpHeaders; body: string }> = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly secret: { header: string; value: string; echoChallenge?: boolean }) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.calls.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.headers[this.secret.header] !== this.secret.value) return void res.writeHead(401).end();
        const challenge = req.headers['x-okta-verification-challenge'];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.method === 'GET' && this.secret.echoChallenge !== false ? JSON.stringify({ verification: challenge }) : '{}');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/okta/events`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.close();
    if (this.server) await once(this.server, 'close');
  }
}

describe('OktaStandIn driven by the real @okta/okta-sdk-nodejs', () => {
  const standIn = new OktaStandIn({ token: TOKEN });
  // The SDK's default cache keeps single-resource GETs forever; a mirror must read fresh data, so tests turn it off.
  const sdk = (options: Record<string, unknown> = {}) => new Client({ orgUrl: standIn.url, token: TOKEN, cacheMiddleware: null, ...options });
  const requestsSince = (mark: number) => standIn.requests.slice(mark);

  beforeAll(() => standIn.start());
  afterAll(() => standIn.stop());

  describe('with 10,000 users and 500 groups', () => {
    let seeded: { userIds: string[]; groupIds: string[] };
    beforeEach(() => {
      seeded = standIn.seed({ users: 10_000, groups: 500 });
    });

    it('seeds a deterministic directory with managers and departments', () => {
      const again = standIn.seed({ users: 10_000, groups: 500 });
      expect(again).toEqual(seeded);
      const user = standIn.org.users.get(seeded.userIds[4321])!;
      const manager = standIn.org.users.get(user.profile.managerId!)!;
      expect(manager.profile.displayName).toBe(user.profile.manager);
      expect(user.profile.department).toBe(manager.profile.department);
      expect(new Set([...standIn.org.users.values()].map((u) => u.profile.department)).size).toBeGreaterThan(10);
      expect(standIn.org.memberIds(seeded.groupIds[0])).toHaveLength(20);
    });

    it('pages every user through the SDK by Link headers: exactly 10,000 distinct ids', async () => {
      const mark = standIn.requestCount;
      const users = await collect(await sdk().userApi.listUsers({ limit: 200 }));
      expect(new Set(users.map((u) => u.id)).size).toBe(10_000);
      expect(users[0].created).toBeInstanceOf(Date);
      expect(users[0].profile?.login).toBe(standIn.org.users.get(users[0].id!)!.profile.login);
      const pages = requestsSince(mark);
      expect(pages).toHaveLength(50);
      expect(pages.every((r) => r.status === 200 && r.headers.authorization === `SSWS ${TOKEN}`)).toBe(true);
      expect(pages[1].url).toMatch(/^\/api\/v1\/users\?limit=200&after=00u/);
    }, 30_000);

    it('pages groups and group members', async () => {
      const client = sdk();
      const groups = await collect(await client.groupApi.listGroups({ limit: 120 }));
      expect(groups.map((g) => g.id)).toEqual(seeded.groupIds);
      const groupId = seeded.groupIds[7];
      const mark = standIn.requestCount;
      const members = await collect(await client.groupApi.listGroupUsers({ groupId, limit: 6 }));
      expect(members.map((u) => u.id)).toEqual(standIn.org.memberIds(groupId));
      expect(requestsSince(mark)).toHaveLength(4);
    });

    it('waits out a 429 in the middle of an iteration and still returns every user', async () => {
      const mark = standIn.requestCount;
      const ids = new Set<string>();
      await (await sdk().userApi.listUsers({ limit: 200 })).each((user) => {
        ids.add(user.id!);
        if (ids.size === 1000) standIn.failNext(1, { status: 429, resetInSeconds: 0 });
      });
      expect(ids.size).toBe(10_000);
      const served = requestsSince(mark);
      expect(served.filter((r) => r.status === 429)).toHaveLength(1);
      const retry = served[served.findIndex((r) => r.status === 429) + 1];
      expect(retry.headers['x-okta-retry-count']).toBe('1');
      expect(retry.headers['x-okta-retry-for']).toBeTruthy();
    }, 30_000);
  });

  it('leaves DEPROVISIONED users out of a plain list, and finds them with a search', async () => {
    const { userIds } = standIn.seed({ users: 30 });
    standIn.setStatus(userIds[3], 'DEPROVISIONED');
    const client = sdk();
    expect((await collect(await client.userApi.listUsers({}))).map((u) => u.id)).not.toContain(userIds[3]);
    const found = await collect(await client.userApi.listUsers({ search: 'status eq "DEPROVISIONED"' }));
    expect(found.map((u) => u.id)).toEqual([userIds[3]]);
    const user = await client.userApi.getUser({ userId: userIds[3] });
    expect(user.status).toBe('DEPROVISIONED');
  });

  it('answers a wrong token with 401 E0000011 in Okta\'s error shape', async () => {
    standIn.seed({ users: 5 });
    const wrong = new Client({ orgUrl: standIn.url, token: 'not-the-token' });
    await expect((await wrong.userApi.listUsers({})).next()).rejects.toMatchObject({ status: 401, errorCode: 'E0000011' });
    const response = await fetch(`${standIn.url}/api/v1/users`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: expect.any(String), errorCauses: [] });
    expect(response.headers.get('x-rate-limit-limit')).toBeTruthy();
  });

  it('surfaces 429 E0000047 once the SDK has spent its retries', async () => {
    standIn.seed({ users: 5 });
    const mark = standIn.requestCount;
    standIn.failNext(2, { resetInSeconds: 0 });
    const client = sdk({ requestExecutor: new DefaultRequestExecutor({ maxRetries: 1, requestTimeout: 0 }) });
    await expect(collect(await client.userApi.listUsers({}))).rejects.toMatchObject({ status: 429, errorCode: 'E0000047' });
    expect(requestsSince(mark).map((r) => r.status)).toEqual([429, 429]);
  }, 10_000);

  it('keeps a per-window budget with X-Rate-Limit headers, which the SDK waits out', async () => {
    const { userIds } = standIn.seed({ users: 20 });
    // The window starts now: it must outlast the first four requests even on a loaded machine, or no 429 comes.
    standIn.rateLimit({ limit: 3, windowSeconds: 3 });
    try {
      const mark = standIn.requestCount;
      const users = await collect(await sdk().userApi.listUsers({ limit: 5 }));
      expect(users.map((u) => u.id)).toEqual(userIds);
      const served = requestsSince(mark);
      expect(served.filter((r) => r.status === 200)).toHaveLength(4);
      expect(served.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(1);
      const response = await fetch(`${standIn.url}/api/v1/users/${userIds[0]}`, { headers: { authorization: `SSWS ${TOKEN}` } });
      expect(Number(response.headers.get('x-rate-limit-limit'))).toBe(3);
      expect(Number(response.headers.get('x-rate-limit-remaining'))).toBeLessThan(3);
      expect(Number(response.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    } finally {
      standIn.rateLimit({ limit: 100_000, windowSeconds: 60 });
    }
  }, 15_000);

  it('polls the System Log with since/after: events in order, and always a next link', async () => {
    const { userIds, groupIds } = standIn.seed({ users: 10, groups: 2 });
    const since = new Date(Date.now() - 60_000).toISOString();
    const { user } = standIn.addUser({ profile: { firstName: 'New', lastName: 'Hire', department: 'Data', managerId: userIds[0] } });
    standIn.updateUser(userIds[1], { department: 'Legal' });
    standIn.setStatus(userIds[2], 'SUSPENDED');
    standIn.setStatus(userIds[2], 'ACTIVE');
    standIn.addMembership(groupIds[0], user.id);
    standIn.deleteUser(userIds[3]);

    const logs = await sdk().systemLogApi.listLogEvents({ since, sortOrder: 'ASCENDING', limit: 3 });
    const first = await collect(logs);
    expect(first.map((e) => e.eventType)).toEqual([
      'user.lifecycle.create',
      'user.lifecycle.activate',
      'user.account.update_profile',
      'user.lifecycle.suspend',
      'user.lifecycle.unsuspend',
      'group.user_membership.add',
      'user.lifecycle.deactivate',
      'user.lifecycle.delete.initiated',
    ]);
    expect(first.map((e) => e.uuid)).toEqual(standIn.systemLog.map((e) => e.uuid));
    expect(first[2].target?.[0].changeDetails?.to).toEqual({ department: 'Legal' });
    expect(first[5].target?.map((t) => t.id)).toEqual([user.id, groupIds[0]]);

    // An empty page still names where to ask next, so the same collection picks up later events.
    const emptyPoll = await fetch(`${standIn.url}${standIn.requests[standIn.requests.length - 1].url}`, { headers: { authorization: `SSWS ${TOKEN}` } });
    expect(await emptyPoll.json()).toEqual([]);
    expect(emptyPoll.headers.get('link')).toMatch(/rel="next"/);
    standIn.removeMembership(groupIds[0], user.id);
    const later = await collect(logs);
    expect(later.map((e) => e.eventType)).toEqual(['group.user_membership.remove']);
  });

  it('rejects a System Log since that is not ISO 8601, as Okta does (the SDK sends a Date as its toString())', async () => {
    standIn.seed({ users: 1 });
    const logs = await sdk().systemLogApi.listLogEvents({ since: new Date() as unknown as string });
    await expect(logs.next()).rejects.toMatchObject({ status: 400, errorCode: 'E0000001' });
  });

  describe('Event Hooks', () => {
    const secret = { header: 'x-attest-hook-secret', value: 'hook-shared-secret' };
    const receiver = new HookReceiver(secret);
    beforeAll(() => receiver.start());
    afterAll(() => receiver.stop());

    it('verifies a hook with Okta\'s challenge, then delivers, redelivers and forges event batches', async () => {
      const { userIds } = standIn.seed({ users: 3 });
      const hook = await standIn.registerEventHook({ url: receiver.url, authHeaderName: secret.header, authHeaderValue: secret.value });
      expect(hook.verified).toBe(true);
      expect(receiver.calls[0].headers['x-okta-verification-challenge']).toBeTruthy();

      const { events } = standIn.setStatus(userIds[1], 'DEPROVISIONED');
      const delivered = await standIn.deliverEventHook(events);
      expect(delivered.status).toBe(200);
      const received = receiver.calls[receiver.calls.length - 1];
      expect(received.method).toBe('POST');
      expect(received.headers[secret.header]).toBe(secret.value);
      const body = JSON.parse(received.body) as EventHookBody;
      expect(body).toMatchObject({ eventType: 'com.okta.event_hook', eventTypeVersion: '1.0', cloudEventsVersion: '0.1', contentType: 'application/json', eventId: delivered.eventId });
      expect(body.source).toBe(`${standIn.url}/api/v1/eventHooks/${hook.id}`);
      expect(body.data.events.map((e) => [e.eventType, e.target[0].id])).toEqual([['user.lifecycle.deactivate', userIds[1]]]);

      const redelivered = await standIn.deliverEventHook(events, { eventId: delivered.eventId });
      expect(JSON.parse(receiver.calls[receiver.calls.length - 1].body).eventId).toBe(delivered.eventId);
      expect(redelivered.status).toBe(200);

      const forged = await standIn.deliverEventHook(events, { authHeaderValue: 'guessed' });
      expect(forged.status).toBe(401);
    });

    it('leaves a hook unverified when the receiver does not echo the challenge, and will not deliver to it', async () => {
      const silent = await new HookReceiver({ ...secret, echoChallenge: false }).start();
      try {
        const hook = await standIn.registerEventHook({ url: silent.url, authHeaderName: secret.header, authHeaderValue: secret.value });
        expect(hook.verified).toBe(false);
        await expect(standIn.deliverEventHook([], { hookId: hook.id })).rejects.toThrow(/not verified/);
        expect(silent.calls.map((c) => c.method)).toEqual(['GET']);
      } finally {
        await silent.stop();
      }
    });
  });
});
