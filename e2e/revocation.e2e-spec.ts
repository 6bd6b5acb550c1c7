import { randomUUID } from 'node:crypto';
import { parseApiKey, PROBLEM_TYPES } from '@attest/contracts';
import { Cluster, TestUpstream, TEST_DATABASE_URL, waitFor } from '@attest/testing';

/**
 * The central promise, driven only over the cluster's public HTTP APIs: a review decision becomes a
 * policy event that every gateway enforces.
 */
// Whole flows across real processes: each step waits on propagation with its own deadline.
jest.setTimeout(60_000);

const ADMIN_TOKEN = `e2e-admin-${randomUUID()}`;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

describe('revocation path end to end (real processes, Kafka and Postgres)', () => {
  const upstream = new TestUpstream();
  let cluster: Cluster;
  const issuedKeys: string[] = [];
  /** The call the first test revoked by decision, replayed against a gateway started later. */
  let revokedByDecision: { path: string; key: string } | null = null;

  async function post<T>(url: string, body: unknown, expected = 201): Promise<T> {
    const response = await fetch(url, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`POST ${url} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Calls the gateway let through, per key: usage evidence must count exactly these. */
  const allowedCalls = new Map<string, number>();

  async function callGateway(path: string, key: string, init: RequestInit = {}) {
    const response = await fetch(`${cluster.url('gateway')}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
    });
    if (response.status === 200) allowedCalls.set(key, (allowedCalls.get(key) ?? 0) + 1);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  }

  async function onboard(basePath: string, scopes: string[]) {
    const api = await post<{ id: string }>(`${cluster.url('enforcement')}/v1/apis`, {
      name: `orders ${basePath}`,
      basePath,
      upstreamUrl: upstream.url,
      ownerEmail: 'owner@example.com',
      routes: [
        { method: 'GET', path: '/orders/:id', scope: 'orders:read' },
        { method: 'POST', path: '/orders', scope: 'orders:write' },
      ],
    });
    const principal = await post<{ id: string }>(`${cluster.url('enforcement')}/v1/principals`, {
      type: 'service',
      displayName: `billing-bot ${basePath}`,
    });
    const grant = await post<{ id: string }>(`${cluster.url('enforcement')}/v1/grants`, {
      principalId: principal.id,
      apiId: api.id,
      scopes,
    });
    const key = await post<{ id: string; key: string }>(`${cluster.url('enforcement')}/v1/keys`, {
      principalId: principal.id,
      name: 'ci',
    });
    issuedKeys.push(key.key);
    return { api, principal, grant, key };
  }

  beforeAll(async () => {
    await upstream.start();
    cluster = new Cluster({
      databaseUrl: process.env.DATABASE_URL ?? TEST_DATABASE_URL,
      brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      adminToken: ADMIN_TOKEN,
      env: { LOG_LEVEL: 'info' },
    });
    await cluster.start();
  }, 120000);

  afterAll(async () => {
    await cluster?.stop();
    await upstream.stop();
  }, 60000);

  it('proxies a granted call, then a revoke decision turns the same call into 403, and usage shows the last use', async () => {
    const basePath = `/orders-${randomUUID().slice(0, 8)}`;
    const { grant, key } = await onboard(basePath, ['orders:read']);

    const allowed = await waitFor(
      async () => {
        const result = await callGateway(`${basePath}/orders/42?expand=lines`, key.key);
        return result.status === 200 && result;
      },
      { description: 'the gateway to allow the granted call', timeoutMs: 20000 },
    );
    expect(JSON.parse(allowed.body)).toMatchObject({ upstream: 'test-upstream', method: 'GET', path: '/orders/42?expand=lines' });
    const seen = upstream.requests.find((r) => r.url === '/orders/42?expand=lines');
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['x-api-key']).toBeUndefined();

    const notGranted = await callGateway(`${basePath}/orders`, key.key, { method: 'POST', body: '{}' });
    expect(notGranted.status).toBe(403);
    expect(notGranted.type).toContain('application/problem+json');
    expect(JSON.parse(notGranted.body).type).toBe(PROBLEM_TYPES.forbidden);
    expect((await callGateway(`${basePath}/nowhere`, key.key)).status).toBe(404);

    // review-scheduler learns of grants from access.grants.v1; until it has, the grant is unknown to it (404).
    await waitFor(
      async () => {
        const response = await fetch(`${cluster.url('review-scheduler')}/v1/decisions`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ grantId: grant.id, decision: 'revoke', reviewer: 'alice@example.com', reason: 'no longer needed' }),
        });
        if (response.status !== 202 && response.status !== 404) throw new Error(`decision → ${response.status}`);
        return response.status === 202;
      },
      { description: 'the revoke decision to be accepted' },
    );

    const denied = await waitFor(
      async () => {
        const result = await callGateway(`${basePath}/orders/42`, key.key);
        return result.status === 403 && result;
      },
      // A deadline for a stuck pipeline; the propagation latency is measured by `npm run bench`.
      { description: 'the gateway to deny the revoked grant', timeoutMs: 30000 },
    );
    expect(JSON.parse(denied.body)).toMatchObject({ type: PROBLEM_TYPES.forbidden, status: 403 });
    revokedByDecision = { path: `${basePath}/orders/42`, key: key.key };

    const usage = await waitFor(
      async () => {
        const response = await fetch(`${cluster.url('usage-ingest')}/v1/usage/grants/${grant.id}`, { headers: admin });
        const body = response.status === 200 ? ((await response.json()) as { lastUsedAt: string | null; requests: number }) : null;
        return body && body.requests >= allowedCalls.get(key.key)! && body.lastUsedAt ? body : undefined;
      },
      { description: 'usage evidence for the grant' },
    );
    // Every call the grant allowed (the first one, and any made while the revocation was on its way).
    expect(usage.requests).toBe(allowedCalls.get(key.key));
    expect(Date.parse(usage.lastUsedAt!)).toBeLessThanOrEqual(Date.now());

    const grantState = await fetch(`${cluster.url('enforcement')}/v1/grants/${grant.id}`, { headers: admin });
    expect(((await grantState.json()) as { status: string }).status).toBe('revoked');
  });

  it('answers 401 for a revoked key, and a gateway started later rebuilds the same view from the compacted topics', async () => {
    const basePath = `/ledger-${randomUUID().slice(0, 8)}`;
    const kept = await onboard(basePath, ['orders:read', 'orders:write']);
    const revoked = await onboard(`${basePath}-old`, ['orders:read']);

    for (const subject of [kept, revoked]) {
      const path = subject === kept ? basePath : `${basePath}-old`;
      await waitFor(async () => (await callGateway(`${path}/orders/1`, subject.key.key)).status === 200, {
        description: 'both keys to work',
        timeoutMs: 20000,
      });
    }

    const deletion = await fetch(`${cluster.url('enforcement')}/v1/keys/${revoked.key.id}`, { method: 'DELETE', headers: admin });
    expect(deletion.status).toBe(204);
    const unauthenticated = await waitFor(
      async () => {
        const result = await callGateway(`${basePath}-old/orders/1`, revoked.key.key);
        return result.status === 401 && result;
      },
      { description: 'the revoked key to be refused' },
    );
    // The genuine secret of a revoked key is told apart from an unknown key, which reveals nothing.
    expect(JSON.parse(unauthenticated.body).type).toBe(PROBLEM_TYPES.keyRevoked);
    expect(unauthenticated.body).not.toContain(revoked.key.key);

    const second = await cluster.startService('gateway', { label: 'gateway-2' });
    const viaSecond = async (path: string, key: string) =>
      (await fetch(`${second.url}${path}`, { headers: { 'x-api-key': key } })).status;
    expect(await viaSecond(`${basePath}/orders/7`, kept.key.key)).toBe(200);
    expect(await viaSecond(`${basePath}-old/orders/7`, revoked.key.key)).toBe(401);
    expect(await viaSecond(`${basePath}/orders/7`, 'atk_AAAAAAAAAAAA_' + 'A'.repeat(43))).toBe(401);
    expect(revokedByDecision).not.toBeNull();
    expect(await viaSecond(revokedByDecision!.path, revokedByDecision!.key)).toBe(403);
  });

  it('never writes an issued key into any service log line', () => {
    expect(issuedKeys.length).toBeGreaterThan(0);
    const lines = cluster.allLines;
    expect(lines.length).toBeGreaterThan(0);
    for (const key of issuedKeys) {
      // The secret may itself hold `_` (its alphabet is base64url), so it is parsed, not split off.
      const { secret } = parseApiKey(key)!;
      expect(secret).toHaveLength(43);
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
