import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Envelope, IdentityEvent, PROBLEM_TYPES, TOPICS } from '@attest/contracts';
import { createKafkaClient, parseBrokers } from '@attest/messaging';
import { TEST_DATABASE_URL, TopicProbe, waitFor } from '@attest/testing';

/**
 * SCIM 2.0 as Entra ID, OneLogin and JumpCloud drive it, against real Postgres and Kafka, with Okta not
 * configured (so this also shows the service runs and is ready without Okta).
 */
jest.setTimeout(120_000);

const ADMIN_TOKEN = 'identity-sync-scim-int-spec-admin';
const SCIM_TOKEN = 'scim-int-spec-bearer-token-0123456789';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

let app: INestApplication;
let baseUrl: string;
let probe: TopicProbe;

interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

async function scim<T = Record<string, unknown>>(method: string, path: string, options: { body?: unknown; token?: string | null; raw?: string } = {}): Promise<Reply<T>> {
  const token = options.token === undefined ? SCIM_TOKEN : options.token;
  const response = await fetch(`${baseUrl}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/scim+json' } : {}),
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
}

function events(principalId: string): IdentityEvent[] {
  return probe.messages.filter((m) => m.key === principalId).map((m) => (m.value as Envelope<IdentityEvent>).data);
}

async function eventually<T>(check: () => T | undefined | false, description: string): Promise<T> {
  return waitFor(check, { timeoutMs: 20_000, intervalMs: 50, description });
}

function newUser(overrides: Record<string, unknown> = {}) {
  const userName = `ada.${randomUUID().slice(0, 8)}@example.com`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName,
    externalId: `entra-${randomUUID()}`,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { department: 'Engineering' },
    ...overrides,
  };
}

async function createUser(overrides: Record<string, unknown> = {}): Promise<{ id: string; userName: string }> {
  const created = await scim<{ id: string; userName: string }>('POST', '/Users', { body: newUser(overrides) });
  if (created.status !== 201) throw new Error(`POST /Users answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body;
}

/** Collects identity.events.v1 from now on (the shared topic's history is long and not this suite's). */
beforeAll(async () => {
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: TEST_DATABASE_URL,
    ATTEST_ADMIN_TOKEN: ADMIN_TOKEN,
    SCIM_BEARER_TOKEN: SCIM_TOKEN,
  });
  delete process.env.OKTA_ORG_URL;
  delete process.env.OKTA_API_TOKEN;
  // Imported only now: the module reads and validates the environment when it is loaded.
  const { AppModule } = await import('../app.module');
  app = await NestFactory.create(AppModule, { logger: ['error'], abortOnError: false });
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const kafka = createKafkaClient({ clientId: 'identity-sync-scim-int-spec', brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') });
  // Only what this suite publishes: the shared topic keeps every earlier run's events.
  probe = await new TopicProbe(kafka, [TOPICS.identityEvents], { from: 'end' }).start();
});

afterAll(async () => {
  await probe?.stop();
  await app?.close();
});

describe('without Okta', () => {
  it('is ready, reports Okta as disabled, and refuses a full sync and Event Hooks', async () => {
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const status = await (await fetch(`${baseUrl}/v1/sync/status`, { headers: admin })).json();
    expect(status).toMatchObject({ status: 'disabled', okta: { configured: false }, systemLog: { enabled: false }, eventHooks: { enabled: false } });
    const sync = await fetch(`${baseUrl}/v1/sync`, { method: 'POST', headers: admin });
    expect(sync.status).toBe(409);
    expect(((await sync.json()) as { type: string }).type).toBe(PROBLEM_TYPES.conflict);
    expect((await fetch(`${baseUrl}/v1/hooks/okta`, { method: 'POST' })).status).toBe(404);
  });
});

describe('SCIM authentication and errors', () => {
  it('answers 401 in SCIM error form without a valid bearer token', async () => {
    for (const token of [null, 'wrong-token-wrong-token']) {
      const reply = await scim('GET', '/Users', { token });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(reply.body).toEqual({ schemas: [ERROR_SCHEMA], status: '401', detail: expect.any(String) });
      expect(JSON.stringify(reply.body)).not.toContain(SCIM_TOKEN);
    }
  });

  it('answers an unknown id with 404, a bad body with invalidValue naming the attribute, and malformed JSON with invalidSyntax', async () => {
    expect(await scim('GET', `/Users/${randomUUID()}`)).toMatchObject({ status: 404, body: { schemas: [ERROR_SCHEMA], status: '404' } });
    expect((await scim('GET', '/Users/not-a-uuid')).status).toBe(404);
    const missing = await scim<{ scimType: string; detail: string }>('POST', '/Users', { body: { schemas: [], displayName: 'No Name' } });
    expect(missing.status).toBe(400);
    expect(missing.body.scimType).toBe('invalidValue');
    expect(missing.body.detail).toContain('userName');
    const malformed = await scim<{ scimType: string }>('POST', '/Users', { raw: '{"userName": ' });
    expect(malformed).toMatchObject({ status: 400, body: { schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax' } });
    const badEmail = await scim<{ scimType: string }>('POST', '/Users', { body: newUser({ emails: [{ value: 'not an address', primary: true }] }) });
    expect(badEmail).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
  });

  it('keeps problem+json for the admin API', async () => {
    const reply = await fetch(`${baseUrl}/v1/directory/principals/${randomUUID()}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('SCIM Users', () => {
  it('creates a user whose id is the Attest principal id, and publishes it', async () => {
    const body = newUser();
    const created = await scim<Record<string, unknown> & { id: string; meta: { location: string } }>('POST', '/Users', { body });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userName: body.userName,
      externalId: body.externalId,
      active: true,
      emails: [{ value: body.userName, type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Engineering' },
      meta: { resourceType: 'User' },
    });
    const event = await eventually(() => events(created.body.id).find((e) => e.kind === 'principal.upserted'), 'principal.upserted');
    expect(event).toEqual({
      kind: 'principal.upserted',
      principalId: created.body.id,
      type: 'user',
      displayName: 'Ada Lovelace',
      email: body.userName,
      status: 'active',
      managerId: null,
      department: 'Engineering',
      externalId: body.externalId,
      source: 'scim',
    });
    const principal = await fetch(`${baseUrl}/v1/directory/principals/${created.body.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await principal.json()).toMatchObject({ id: created.body.id, email: body.userName, status: 'active' });
  });

  it('refuses a second user with the same userName with 409 uniqueness', async () => {
    const first = await createUser();
    const again = await scim<{ scimType: string }>('POST', '/Users', { body: newUser({ userName: first.userName.toUpperCase() }) });
    expect(again).toMatchObject({ status: 409, body: { schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' } });
  });

  it('finds a user with filter=userName eq, in a ListResponse', async () => {
    const user = await createUser();
    const found = await scim<{ totalResults: number; startIndex: number; itemsPerPage: number; Resources: Array<{ id: string }>; schemas: string[] }>(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.body.Resources.map((r) => r.id)).toEqual([user.id]);
    const none = await scim<{ totalResults: number; Resources: unknown[] }>('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody-here@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const unsupported = await scim<{ scimType: string }>('GET', `/Users?filter=${encodeURIComponent('userName co "ada"')}`);
    expect(unsupported).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
  });

  it("deactivates with Entra's PatchOp ({op: Replace, path: active, value: \"False\"}) and reactivates with the path-less form", async () => {
    const user = await createUser();
    const off = await scim<{ active: boolean }>('PATCH', `/Users/${user.id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    });
    expect(off).toMatchObject({ status: 200, body: { active: false } });
    const deactivated = await eventually(() => events(user.id).find((e) => e.kind === 'principal.deactivated'), 'principal.deactivated');
    expect(deactivated).toMatchObject({ principalId: user.id, status: 'deactivated', source: 'scim' });

    const on = await scim<{ active: boolean }>('PATCH', `/Users/${user.id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: true } }] },
    });
    expect(on.body.active).toBe(true);
    await eventually(() => events(user.id).some((e) => e.kind === 'principal.reactivated'), 'principal.reactivated');

    const again = await scim('PATCH', `/Users/${user.id}`, { body: { Operations: [{ op: 'replace', value: { active: false } }] } });
    expect(again.body.active).toBe(false);
    await eventually(() => events(user.id).filter((e) => e.kind === 'principal.deactivated').length === 2, 'the second deactivation');
  });

  it('patches attributes (add/replace/remove), publishing one upsert per change and nothing for a no-op', async () => {
    const manager = await createUser();
    const user = await createUser();
    const patched = await scim<Record<string, unknown>>('PATCH', `/Users/${user.id}`, {
      body: {
        Operations: [
          { op: 'replace', path: 'displayName', value: 'Ada King' },
          { op: 'add', path: `${ENTERPRISE}:manager`, value: { value: manager.id } },
          { op: 'remove', path: `${ENTERPRISE}:department` },
          { op: 'add', path: 'title', value: 'Countess' },
        ],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ displayName: 'Ada King', title: 'Countess', [ENTERPRISE]: { manager: { value: manager.id } } });
    const upserts = () => events(user.id).filter((e) => e.kind === 'principal.upserted');
    await eventually(() => upserts().length === 2, 'the upsert of the patch');
    expect(upserts()[1]).toMatchObject({ displayName: 'Ada King', managerId: manager.id, department: null });

    const noop = await scim('PATCH', `/Users/${user.id}`, { body: { Operations: [{ op: 'replace', path: 'displayName', value: 'Ada King' }] } });
    expect(noop.status).toBe(200);
    const badManager = await scim<{ scimType: string }>('PATCH', `/Users/${user.id}`, { body: { Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: randomUUID() }] } });
    expect(badManager).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    const badOp = await scim<{ scimType: string }>('PATCH', `/Users/${user.id}`, { body: { Operations: [{ op: 'merge', path: 'title', value: 'x' }] } });
    expect(badOp).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    // Events of one principal keep their order, so had the no-op published, it would come before this change's.
    await scim('PATCH', `/Users/${user.id}`, { body: { Operations: [{ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Research' }] } });
    await eventually(() => upserts().length >= 3, 'the next change');
    expect(upserts()).toHaveLength(3);
    expect(upserts()[2]).toMatchObject({ department: 'Research', displayName: 'Ada King' });
  });

  it('replaces a user with PUT', async () => {
    const user = await createUser();
    const replaced = await scim<Record<string, unknown>>('PUT', `/Users/${user.id}`, {
      body: { userName: user.userName, name: { givenName: 'Augusta' }, active: true, emails: [{ value: user.userName }] },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ displayName: 'Augusta', name: { givenName: 'Augusta' } });
    expect(replaced.body).not.toHaveProperty('externalId');
    expect(replaced.body).not.toHaveProperty(ENTERPRISE);
  });

  it('deletes a user: 204, then 404, a principal.deleted event, and it leaves its groups', async () => {
    const user = await createUser();
    const group = await scim<{ id: string }>('POST', '/Groups', { body: { displayName: `leavers-${randomUUID()}`, members: [{ value: user.id }] } });
    expect(group.status).toBe(201);
    const deleted = await fetch(`${baseUrl}/scim/v2/Users/${user.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${SCIM_TOKEN}` } });
    expect(deleted.status).toBe(204);
    expect((await scim('GET', `/Users/${user.id}`)).status).toBe(404);
    await eventually(() => events(user.id).some((e) => e.kind === 'principal.deleted'), 'principal.deleted');
    const kinds = events(user.id).map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(['membership.removed', 'principal.deleted']);
    expect((await scim<{ members: unknown[] }>('GET', `/Groups/${group.body.id}`)).body.members).toEqual([]);
    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(404);
  });
});

describe('SCIM Groups', () => {
  it('creates a group with members, patches members in and out, filters by displayName, and deletes it', async () => {
    const [a, b, c] = [await createUser(), await createUser(), await createUser()];
    const displayName = `engineering-${randomUUID()}`;
    const created = await scim<{ id: string; members: Array<{ value: string }> }>('POST', '/Groups', { body: { displayName, members: [{ value: a.id }, { value: b.id }] } });
    expect(created.status).toBe(201);
    expect(created.body.members.map((m) => m.value).sort()).toEqual([a.id, b.id].sort());
    const added = await eventually(() => events(a.id).find((e) => e.kind === 'membership.added'), 'membership.added');
    expect(added).toEqual({ kind: 'membership.added', principalId: a.id, groupId: created.body.id, groupName: displayName, source: 'scim' });

    const patched = await scim<{ members: Array<{ value: string }> }>('PATCH', `/Groups/${created.body.id}`, {
      body: {
        Operations: [
          { op: 'Add', path: 'members', value: [{ value: c.id }] },
          { op: 'Remove', path: `members[value eq "${a.id}"]` },
        ],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.members.map((m) => m.value).sort()).toEqual([b.id, c.id].sort());
    await eventually(() => events(a.id).some((e) => e.kind === 'membership.removed'), 'membership.removed');
    await eventually(() => events(c.id).some((e) => e.kind === 'membership.added'), 'membership.added for the new member');

    const found = await scim<{ totalResults: number; Resources: Array<{ id: string; members?: unknown }> }>(
      'GET',
      `/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}&excludedAttributes=members`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(created.body.id);
    expect(found.body.Resources[0]).not.toHaveProperty('members');

    const unknownMember = await scim<{ scimType: string }>('PATCH', `/Groups/${created.body.id}`, { body: { Operations: [{ op: 'add', path: 'members', value: [{ value: randomUUID() }] }] } });
    expect(unknownMember).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    const duplicate = await scim<{ scimType: string }>('POST', '/Groups', { body: { displayName } });
    expect(duplicate).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });

    expect((await scim('DELETE', `/Groups/${created.body.id}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${created.body.id}`)).status).toBe(404);
    await eventually(() => events(b.id).some((e) => e.kind === 'membership.removed'), 'membership.removed on group deletion');
  });

  it('describes itself to SCIM clients', async () => {
    const config = await scim<{ patch: { supported: boolean }; filter: { supported: boolean } }>('GET', '/ServiceProviderConfig');
    expect(config).toMatchObject({ status: 200, body: { patch: { supported: true }, filter: { supported: true } } });
  });
});
