import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { CatalogState, EVENT_CONTRACTS, formatApiKey, hashKeySecret, PolicyKey, PolicyState, Topic, TOPICS } from '@attest/contracts';
import { AppModule } from './app.module';
import { GatewayHttpServer } from './http/gateway.http-server';

/** Shared set-up of the gateway's integration specs: real Kafka, real HTTP, gateways in this process. */

export interface TestKey {
  keyId: string;
  prefix: string;
  secret: string;
  raw: string;
}

export function newKey(): TestKey {
  const prefix = randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { keyId: randomUUID(), prefix, secret, raw: formatApiKey({ prefix, secret }) };
}

export const bearer = (key: { raw: string }): Record<string, string> => ({ authorization: `Bearer ${key.raw}` });

export async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A minimal upstream answering 200 with a small JSON body to everything. */
export async function startEchoUpstream(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * A gateway in this process. ConfigModule validates (and copies its defaults into) process.env when
 * the module is built, so the env is set for exactly that moment and restored afterwards: gateways
 * with different settings can run side by side.
 */
export async function startGateway(env: Record<string, string>): Promise<{ app: INestApplicationContext; url: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let module: ReturnType<typeof AppModule.forRoot>;
  try {
    module = AppModule.forRoot();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
  const app = await NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
  return { app, url: app.get(GatewayHttpServer).url };
}

export function envelopeMessage(topic: Topic, key: string, data: unknown, partition?: number) {
  const contract = EVENT_CONTRACTS[topic];
  const value = JSON.stringify({
    id: randomUUID(),
    type: contract.type,
    version: contract.version,
    occurredAt: new Date().toISOString(),
    source: 'enforcement',
    subject: key,
    data,
  });
  return partition === undefined ? { key, value } : { key, value, partition };
}

export async function publishCatalog(producer: Producer, states: CatalogState[]): Promise<void> {
  await producer.send({ topic: TOPICS.catalogState, acks: -1, messages: states.map((s) => envelopeMessage(TOPICS.catalogState, s.apiId, s)) });
}

export async function publishPolicies(producer: Producer, states: PolicyState[]): Promise<void> {
  await producer.send({ topic: TOPICS.policyState, acks: -1, messages: states.map((s) => envelopeMessage(TOPICS.policyState, s.principalId, s)) });
}

export function catalogState(overrides: Partial<CatalogState> & { upstreamUrl: string; basePath: string }): CatalogState {
  return {
    apiId: randomUUID(),
    name: 'gateway int-spec api',
    status: 'active',
    sunsetAt: null,
    version: 1,
    routes: [{ method: 'GET', path: '/items/:id', scope: 'items:read' }],
    rateLimit: null,
    quota: null,
    ...overrides,
  };
}

/** One principal with one key, granted `items:read` on the given APIs. */
export function policyState(options: {
  pepper: string;
  key: TestKey;
  apiIds: string[];
  principalId?: string;
  version?: number;
  status?: PolicyState['status'];
  keyOverrides?: Partial<PolicyKey>;
}): PolicyState {
  return {
    principalId: options.principalId ?? randomUUID(),
    status: options.status ?? 'active',
    version: options.version ?? 1,
    keys: [
      {
        keyId: options.key.keyId,
        prefix: options.key.prefix,
        secretHash: hashKeySecret(options.pepper, options.key.secret),
        status: 'active',
        expiresAt: null,
        apiIds: null,
        scopes: null,
        rateLimit: null,
        quota: null,
        ...options.keyOverrides,
      },
    ],
    grants: options.apiIds.map((apiId) => ({ grantId: randomUUID(), apiId, scopes: ['items:read'] })),
  };
}

export interface TailedMessage {
  partition: number;
  key: string | null;
  text: string;
}

/**
 * Collects what is published to a topic from now on: the topics may already hold millions of records
 * from benchmarks and other runs, too many to read from the beginning.
 */
export class TopicTail {
  readonly messages: TailedMessage[] = [];
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: Topic,
  ) {}

  async start(): Promise<this> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    const consumer = this.kafka.consumer({ groupId: `gateway-int-spec-tail-${randomUUID()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (message.value !== null) this.messages.push({ partition, key: message.key?.toString('utf8') ?? null, text: message.value.toString('utf8') });
      },
    });
    for (const { partition, high } of ends) consumer.seek({ topic: this.topic, partition, offset: high });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** The value of one sample of a Prometheus text exposition, or null when absent. */
export function metricValue(text: string, sample: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return null;
}
