import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, IncomingMessage, request, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { Consumer, Kafka, Producer } from 'kafkajs';
import {
  AccessLogColumns,
  accessLogPartition,
  AccessLogRecord,
  accessLogRecordsOfColumns,
  CatalogState,
  Envelope,
  formatApiKey,
  hashKeySecret,
  PolicyState,
  PROBLEM_TYPES,
  TOPICS,
} from '@attest/contracts';
import { buildEnvelope, ensureTopics } from '@attest/messaging';
import { testKafka, waitFor } from '@attest/testing';
import { AppModule } from './app.module';
import { GatewayHttpServer } from './http/gateway.http-server';

jest.setTimeout(180_000);

const PEPPER = `gateway-int-spec-pepper-${randomUUID()}`;
const UPSTREAM_TIMEOUT_MS = 1500;
/** All of this spec's policy records go to one partition, so a later marker record proves an earlier one was read. */
const POLICY_PARTITION = 0;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The gateway's side of the connection the request came on: equal ports mean a reused connection. */
  remotePort: number;
}

/** What the upstream managed to send of a large answer, and whether its connection was cut before the end. */
interface LargeAnswer {
  written: number;
  finished: boolean;
  cut: boolean;
}

const LARGE_CHUNK = Buffer.alloc(64 * 1024, 'a');
/** Far more than the socket buffers of both hops hold, so an upstream that is not paused finishes writing it. */
const LARGE_CHUNKS = 1024;

/**
 * A real upstream: echoes what it received as JSON, records every request, never answers `/slow`, and
 * answers `/orders/large-*` with 64 MiB written as fast as its connection takes them.
 */
class RecordingUpstream {
  readonly requests: Seen[] = [];
  readonly largeAnswers = new Map<string, LargeAnswer>();
  private readonly held: ServerResponse[] = [];
  /** `/orders/late*` requests, answered only when the spec says so. */
  private readonly late: ServerResponse[] = [];
  private readonly server = createServer((req, res) => {
    if (req.url?.startsWith('/orders/large-')) return void this.answerLarge(req.url, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, remotePort: req.socket.remotePort ?? 0 });
      if (req.url === '/slow') return void this.held.push(res);
      if (req.url?.startsWith('/orders/late')) return void this.late.push(res);
      // Hop-by-hop fields of its own, which must not reach the client.
      const hop = req.url?.startsWith('/orders/hop') ? { 'keep-alive': 'timeout=60', connection: 'x-upstream-hop', 'x-upstream-hop': 'per-connection' } : {};
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', ...hop });
      res.end(JSON.stringify({ upstream: 'gateway-int-spec', method: req.method, path: req.url, body }));
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private async answerLarge(url: string, res: ServerResponse): Promise<void> {
    const answer: LargeAnswer = { written: 0, finished: false, cut: false };
    this.largeAnswers.set(url, answer);
    res.on('close', () => (answer.cut = !res.writableFinished));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(LARGE_CHUNK.length * LARGE_CHUNKS) });
    for (let i = 0; i < LARGE_CHUNKS && !res.destroyed; i++) {
      const more = res.write(LARGE_CHUNK);
      answer.written += LARGE_CHUNK.length;
      if (!more) await drainedOrClosed(res);
    }
    if (res.destroyed) return;
    res.end();
    answer.finished = true;
  }

  /** Answers every `/orders/late*` request held so far. */
  answerLate(): void {
    for (const res of this.late.splice(0)) if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"late":true}');
  }

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async stop(): Promise<void> {
    for (const res of [...this.held, ...this.late]) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** Resolves when a response can take more, or is gone; leaves no listener behind either way. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

interface LoggedAccess {
  /** The partition of the v2 message that carried the record. */
  partition: number;
  data: AccessLogRecord;
  /** The whole message, for what must appear in none. */
  text: string;
}

/**
 * Collects what is published to the access log from now on. Like TopicProbe, but from the end: the
 * topic may already hold millions of records from benchmarks and other runs, too many to read first.
 */
class AccessLogTail {
  readonly records: LoggedAccess[] = [];
  private consumer: Consumer | null = null;

  constructor(private readonly kafka: Kafka) {}

  async start(): Promise<this> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(TOPICS.accessLogColumns).finally(() => admin.disconnect());
    const consumer = this.kafka.consumer({ groupId: `gateway-int-spec-${randomUUID()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.accessLogColumns });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (message.value === null) return;
        const text = message.value.toString('utf8');
        for (const data of accessLogRecordsOfColumns((JSON.parse(text) as Envelope<AccessLogColumns>).data).records.map((r) => r.record)) this.records.push({ partition, data, text });
      },
    });
    for (const { partition, high } of ends) consumer.seek({ topic: TOPICS.accessLogColumns, partition, offset: high });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function newKey() {
  const prefix = randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { keyId: randomUUID(), prefix, secret, raw: formatApiKey({ prefix, secret }) };
}

async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function startGateway(port: number): Promise<INestApplicationContext> {
  process.env.PORT = String(port);
  return NestFactory.createApplicationContext(AppModule.forRoot(), { logger: false, abortOnError: false });
}

describe('gateway against real Kafka and a real upstream', () => {
  const run = randomUUID().slice(0, 8);
  const basePath = `/gw-it-${run}`;
  const upstream = new RecordingUpstream();
  let kafka: Kafka;
  let producer: Producer;
  let accessLog: AccessLogTail;
  let gateway: INestApplicationContext;
  let gatewayUrl: string;
  const readiness: Array<{ status: number; body: string }> = [];

  const api = (overrides: Partial<CatalogState>): CatalogState => ({
    apiId: randomUUID(),
    name: `gateway-int-spec ${run}`,
    basePath,
    upstreamUrl: 'http://127.0.0.1:1',
    status: 'active',
    sunsetAt: null,
    version: 1,
    routes: [
      { method: 'GET', path: '/orders/:id', scope: 'orders:read' },
      { method: 'POST', path: '/orders', scope: 'orders:write' },
      { method: 'GET', path: '/slow', scope: 'orders:read' },
      { method: 'POST', path: '/orders/:id/notes', scope: 'orders:read' },
    ],
    rateLimit: null,
    quota: null,
    ...overrides,
  });
  let orders: CatalogState;
  let retired: CatalogState;
  let unreachable: CatalogState;

  const alice = { principalId: randomUUID(), key: newKey(), grantId: randomUUID() };
  const bob = { principalId: randomUUID(), key: newKey(), grantId: randomUUID() };

  const policy = (subject: typeof alice, options: { version: number; granted: boolean; keyStatus?: 'active' | 'revoked' }): PolicyState => ({
    principalId: subject.principalId,
    status: 'active',
    version: options.version,
    keys: [
      {
        keyId: subject.key.keyId,
        prefix: subject.key.prefix,
        secretHash: hashKeySecret(PEPPER, subject.key.secret),
        status: options.keyStatus ?? 'active',
        expiresAt: null,
        apiIds: null,
        scopes: null,
        rateLimit: null,
        quota: null,
      },
    ],
    grants: options.granted
      ? [
          { grantId: subject.grantId, apiId: orders.apiId, scopes: ['orders:read'] },
          { grantId: randomUUID(), apiId: retired.apiId, scopes: ['orders:read'] },
          { grantId: randomUUID(), apiId: unreachable.apiId, scopes: ['orders:read'] },
        ]
      : [],
  });

  const publishPolicies = async (states: PolicyState[]) => {
    const messages = states.map((state) => {
      const envelope: Envelope<PolicyState> = buildEnvelope({ topic: TOPICS.policyState, subject: state.principalId, data: state, source: 'enforcement' });
      return { key: state.principalId, value: JSON.stringify(envelope), partition: POLICY_PARTITION };
    });
    await producer.send({ topic: TOPICS.policyState, acks: -1, messages });
  };
  const publishApis = async (states: CatalogState[]) => {
    const messages = states.map((state) => ({
      key: state.apiId,
      value: JSON.stringify(buildEnvelope({ topic: TOPICS.catalogState, subject: state.apiId, data: state, source: 'enforcement' })),
    }));
    await producer.send({ topic: TOPICS.catalogState, acks: -1, messages });
  };

  const call = async (path: string, headers: Record<string, string> = {}, init: RequestInit = {}, base = gatewayUrl) => {
    const response = await fetch(`${base}${path}`, { ...init, headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const rawGet = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const { hostname, port } = new URL(gatewayUrl);
      // Options, not a URL string: a URL would be normalised, dot segments and all.
      const req = request({ hostname, port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  const bearer = (key: { raw: string }) => ({ authorization: `Bearer ${key.raw}` });

  beforeAll(async () => {
    process.env.NODE_ENV = 'test';
    process.env.LOG_LEVEL = 'silent';
    process.env.API_KEY_PEPPER = PEPPER;
    process.env.UPSTREAM_TIMEOUT_MS = String(UPSTREAM_TIMEOUT_MS);
    process.env.GATEWAY_ID = `gateway-int-spec-${run}`;
    await upstream.start();
    orders = api({ upstreamUrl: upstream.url });
    retired = api({ basePath: `${basePath}-retired`, upstreamUrl: upstream.url, status: 'retired' });
    unreachable = api({ basePath: `${basePath}-down`, upstreamUrl: `http://127.0.0.1:${await freePort()}` });

    kafka = testKafka('gateway-int-spec');
    await ensureTopics(kafka, [TOPICS.policyState, TOPICS.catalogState, TOPICS.accessLogColumns]);
    producer = kafka.producer();
    await producer.connect();
    accessLog = await new AccessLogTail(kafka).start();
    await publishApis([orders, retired, unreachable]);
    await publishPolicies([policy(alice, { version: 1, granted: true }), policy(bob, { version: 1, granted: true })]);

    // Readiness is polled from before the gateway starts, to see what it answers while it catches up.
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const response = await fetch(`${gatewayUrl}/health/ready`).catch(() => null);
        if (response) {
          readiness.push({ status: response.status, body: await response.text() });
          // The first 200 is checked against the view at once, before anything else can change it.
          if (response.status === 200) {
            readiness.push({ status: (await call(`${basePath}/orders/1`, bearer(alice.key))).status, body: 'call right after ready' });
            return;
          }
        } else {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    })();
    gateway = await startGateway(port);
    await waitFor(() => readiness.some((r) => r.status === 200), { description: 'the gateway to report ready', timeoutMs: 60_000 });
    polling = false;
    await poller;
  });

  afterAll(async () => {
    await gateway?.close();
    await accessLog?.stop();
    await producer?.disconnect();
    await upstream.stop();
  });

  it('answers readiness 503 with a JSON body until the view caught up with both topics, then 200 with everything they held', () => {
    const firstReady = readiness.findIndex((r) => r.status === 200);
    const before = readiness.slice(0, firstReady);
    expect(before.length).toBeGreaterThan(0);
    for (const answer of before) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'unavailable', view: { caughtUp: false } });
    }
    expect(JSON.parse(readiness[firstReady].body)).toMatchObject({ status: 'ok', view: { caughtUp: true } });
    expect(readiness[firstReady + 1]).toEqual({ status: 200, body: 'call right after ready' });
  });

  it('proxies a granted call to the upstream without the base path or the credential, keeping the query and the request id', async () => {
    const requestId = `it-${run}-bearer`;
    const result = await call(`${basePath}/orders/42?expand=lines`, { ...bearer(alice.key), 'x-request-id': requestId });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ upstream: 'gateway-int-spec', method: 'GET', path: '/orders/42?expand=lines', body: '' });
    expect(result.headers.get('x-request-id')).toBe(requestId);
    expect(result.headers.get('x-upstream')).toBe('yes');
    const seen = upstream.requests.find((r) => r.headers['x-request-id'] === requestId);
    expect(seen).toBeDefined();
    expect(seen!.headers.authorization).toBeUndefined();
    expect(seen!.headers['x-api-key']).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(alice.key.secret);

    const viaHeader = await call(`${basePath}/orders/43`, { 'x-api-key': alice.key.raw, 'x-request-id': `it-${run}-header` });
    expect(viaHeader.status).toBe(200);
    const seenViaHeader = upstream.requests.find((r) => r.headers['x-request-id'] === `it-${run}-header`);
    expect(seenViaHeader?.url).toBe('/orders/43');
    expect(seenViaHeader?.headers['x-api-key']).toBeUndefined();
  });

  it('strips hop-by-hop fields both ways, those named in Connection included, and reuses upstream connections', async () => {
    const requestId = `it-${run}-hop`;
    const result = await rawGet(`${basePath}/orders/hop`, {
      ...bearer(alice.key),
      'x-request-id': requestId,
      connection: 'keep-alive, x-client-hop',
      'x-client-hop': 'per-connection',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic c2VjcmV0',
      te: 'trailers',
      'x-kept': 'end-to-end',
    });
    expect(result.status).toBe(200);
    const seen = upstream.requests.find((r) => r.headers['x-request-id'] === requestId)!;
    expect(seen.headers['x-kept']).toBe('end-to-end');
    for (const name of ['x-client-hop', 'keep-alive', 'proxy-authorization', 'te', 'authorization']) expect(seen.headers[name]).toBeUndefined();
    expect(result.headers['x-upstream']).toBe('yes');
    expect(result.headers['x-upstream-hop']).toBeUndefined();
    expect(result.headers['keep-alive']).not.toBe('timeout=60');

    // One caller after another: the gateway's pool keeps using the connection it opened.
    const before = upstream.requests.length;
    for (let i = 0; i < 5; i++) expect((await call(`${basePath}/orders/${i}`, bearer(alice.key))).status).toBe(200);
    const ports = new Set(upstream.requests.slice(before).map((r) => r.remotePort));
    expect(ports.size).toBe(1);
  });

  it('streams a request body to the upstream, and none of a denied call', async () => {
    const note = JSON.stringify({ note: 'x'.repeat(100_000) });
    const sent = await call(`${basePath}/orders/44/notes`, { ...bearer(alice.key), 'content-type': 'application/json' }, { method: 'POST', body: note });
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body)).toMatchObject({ method: 'POST', path: '/orders/44/notes', body: note });

    // POST /orders needs orders:write, which alice lacks.
    const denied = await call(`${basePath}/orders`, { ...bearer(alice.key), 'content-type': 'application/json' }, { method: 'POST', body: '{"a":1}' });
    expect(denied.status).toBe(403);
    expect(upstream.requests.some((r) => r.body === '{"a":1}')).toBe(false);
  });

  it('holds the upstream back while a client reads slowly, and lets go of it when the client leaves', async () => {
    const { hostname, port } = new URL(gatewayUrl);
    const total = LARGE_CHUNK.length * LARGE_CHUNKS;
    const slow = await new Promise<IncomingMessage>((resolve, reject) => {
      request({ hostname, port, path: `${basePath}/orders/large-slow`, headers: bearer(alice.key) }, resolve).on('error', reject).end();
    });
    expect(slow.statusCode).toBe(200);
    slow.pause();
    // The client reads nothing for a while: the upstream must be stalled well short of the end, not drained into the gateway's memory.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stalled = upstream.largeAnswers.get('/orders/large-slow')!;
    expect(stalled.written).toBeLessThan(total / 2);
    expect(stalled.finished).toBe(false);
    let received = 0;
    slow.on('data', (chunk: Buffer) => (received += chunk.length));
    slow.resume();
    await once(slow, 'end');
    expect(received).toBe(total);
    expect(stalled.finished).toBe(true);

    const leaving = await new Promise<IncomingMessage>((resolve, reject) => {
      request({ hostname, port, path: `${basePath}/orders/large-leave`, headers: bearer(alice.key) }, resolve).on('error', reject).end();
    });
    expect(leaving.statusCode).toBe(200);
    await once(leaving, 'data');
    leaving.destroy();
    await waitFor(() => upstream.largeAnswers.get('/orders/large-leave')?.cut === true, { timeoutMs: 5000, description: 'the upstream answer to be cut off' });
    expect(upstream.largeAnswers.get('/orders/large-leave')!.finished).toBe(false);
  });

  it('records a call whose client left before the upstream answered as 499, not as an upstream failure', async () => {
    const requestId = `it-${run}-client-left`;
    const client = new AbortController();
    const leaving = fetch(`${gatewayUrl}${basePath}/orders/late`, { headers: { ...bearer(alice.key), 'x-request-id': requestId }, signal: client.signal });
    await waitFor(() => upstream.requests.some((r) => r.url === '/orders/late' && r.headers['x-request-id'] === requestId), {
      description: 'the call to reach the upstream',
    });
    client.abort();
    await expect(leaving).rejects.toThrow();
    // Time for the gateway to see the connection close, before the upstream's answer arrives.
    await new Promise((resolve) => setTimeout(resolve, 500));
    upstream.answerLate();
    const record = await waitFor(() => accessLog.records.find((r) => r.data.requestId === requestId), { description: 'the access-log record of the abandoned call' });
    expect(record.data).toMatchObject({ status: 499, outcome: 'allowed', keyId: alice.key.keyId, grantId: alice.grantId });
  });

  it('answers every denial with a problem body that never echoes the key', async () => {
    const expectProblem = (result: { status: number; headers: Headers; body: string }, status: number, type: string) => {
      expect(result.status).toBe(status);
      expect(result.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(result.body)).toMatchObject({ type, status });
      expect(result.body).not.toContain(alice.key.secret);
      expect(result.body).not.toContain(alice.key.prefix);
    };
    expectProblem(await call(`${basePath}/nowhere`, bearer(alice.key)), 404, PROBLEM_TYPES.notFound);
    expectProblem(await call(`/gw-it-unknown-${run}/orders/1`, bearer(alice.key)), 404, PROBLEM_TYPES.notFound);
    expectProblem(await call(`${basePath}/orders/1`), 401, PROBLEM_TYPES.unauthenticated);
    expectProblem(
      await call(`${basePath}/orders/1`, { authorization: `Bearer atk_${alice.key.prefix}_${newKey().secret}` }),
      401,
      PROBLEM_TYPES.unauthenticated,
    );
    expectProblem(await call(`${basePath}/orders/1`, bearer(newKey())), 401, PROBLEM_TYPES.unauthenticated);
    expectProblem(await call(`${basePath}/orders`, bearer(alice.key), { method: 'POST', body: '{}' }), 403, PROBLEM_TYPES.forbidden);
    expectProblem(await call(`${basePath}-retired/orders/1`, bearer(alice.key)), 410, PROBLEM_TYPES.retired);
    const dotted = await rawGet(`${basePath}/orders/%2e%2e/slow`, bearer(alice.key));
    expect(dotted.status).toBe(404);
    expect(JSON.parse(dotted.body).type).toBe(PROBLEM_TYPES.notFound);
  });

  it('answers 502 when the upstream is unreachable and 504 when it does not answer in time', async () => {
    const down = await call(`${basePath}-down/orders/1`, bearer(alice.key));
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body).type).toBe(PROBLEM_TYPES.badGateway);
    const slow = await call(`${basePath}/slow`, bearer(alice.key));
    expect(slow.status).toBe(504);
    expect(JSON.parse(slow.body).type).toBe(PROBLEM_TYPES.gatewayTimeout);
  });

  it('denies with 403 once a newer policy drops the grant, and a republished older version does not bring it back', async () => {
    await publishPolicies([policy(alice, { version: 2, granted: false })]);
    const denied = await waitFor(
      async () => {
        const result = await call(`${basePath}/orders/7`, bearer(alice.key));
        return result.status === 403 && result;
      },
      { description: 'the gateway to deny the dropped grant' },
    );
    expect(JSON.parse(denied.body).type).toBe(PROBLEM_TYPES.forbidden);

    // The marker follows the replay on the same partition: once it is applied, so has the replay been.
    const marker = { principalId: randomUUID(), key: newKey(), grantId: randomUUID() };
    await publishPolicies([policy(alice, { version: 1, granted: true }), policy(marker, { version: 1, granted: true })]);
    await waitFor(async () => (await call(`${basePath}/orders/7`, bearer(marker.key))).status === 200, {
      description: 'the marker policy behind the replayed one to be applied',
    });
    expect((await call(`${basePath}/orders/7`, bearer(alice.key))).status).toBe(403);
  });

  it('refuses a revoked key with 401 key-revoked', async () => {
    expect((await call(`${basePath}/orders/8`, bearer(bob.key))).status).toBe(200);
    await publishPolicies([policy(bob, { version: 2, granted: true, keyStatus: 'revoked' })]);
    const refused = await waitFor(
      async () => {
        const result = await call(`${basePath}/orders/8`, bearer(bob.key));
        return result.status === 401 && result;
      },
      { description: 'the gateway to refuse the revoked key' },
    );
    expect(JSON.parse(refused.body).type).toBe(PROBLEM_TYPES.keyRevoked);
    expect(refused.body).not.toContain(bob.key.secret);
  });

  it('rebuilds the same decisions in a gateway started later on port 0, from the compacted topics alone', async () => {
    const second = await startGateway(0);
    try {
      const url = second.get(GatewayHttpServer).url;
      await waitFor(async () => (await fetch(`${url}/health/ready`)).status === 200, { description: 'the second gateway to be ready', timeoutMs: 60_000 });
      expect((await call(`${basePath}/orders/9`, bearer(alice.key), {}, url)).status).toBe(403);
      expect((await call(`${basePath}/orders/9`, bearer(bob.key), {}, url)).status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('records each call on the access log with the grant that allowed it, and never the key', async () => {
    const requestId = `it-${run}-bearer`;
    const allowed = await waitFor(() => accessLog.records.find((r) => r.data.requestId === requestId), {
      description: 'the access-log record of the proxied call',
    });
    // In the partition its key id names, with every other call of that key.
    expect(allowed.partition).toBe(accessLogPartition(alice.key.keyId));
    expect(allowed.data).toMatchObject({
      requestId,
      method: 'GET',
      path: `${basePath}/orders/42`,
      status: 200,
      outcome: 'allowed',
      apiId: orders.apiId,
      route: 'GET /orders/:id',
      keyId: alice.key.keyId,
      principalId: alice.principalId,
      grantId: alice.grantId,
      gatewayId: `gateway-int-spec-${run}`,
    });
    // Its latency in milliseconds to the microsecond, not a double's full 17 digits.
    expect(allowed.data.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Math.round(allowed.data.latencyMs * 1000) / 1000).toBe(allowed.data.latencyMs);
    expect(allowed.text).toContain(`${allowed.data.latencyMs}`);

    const everyOutcome = ['allowed', 'forbidden', 'unauthenticated', 'not_found', 'retired', 'upstream_error'];
    const mine = await waitFor(
      () => {
        const records = accessLog.records.filter((r) => r.data.gatewayId === `gateway-int-spec-${run}`);
        const outcomes = new Set<string>(records.map((r) => r.data.outcome));
        return everyOutcome.every((outcome) => outcomes.has(outcome)) && records;
      },
      { description: 'records for every outcome' },
    );
    for (const record of mine) {
      for (const key of [alice.key, bob.key]) expect(record.text).not.toContain(key.secret);
      if (record.data.outcome === 'unauthenticated') expect(record).toMatchObject({ partition: accessLogPartition(record.data.requestId), data: { keyId: null, grantId: null } });
      if (record.data.outcome === 'forbidden') expect(record.data.grantId).toBeNull();
    }
  });
});
