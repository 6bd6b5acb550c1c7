import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { AccessGrant, AccessLogCall, AccessLogEntryRecord, accessLogColumnsOf, accessLogKey, AccessLogRecord, groupAccessLogRecords, TOPICS } from '@attest/contracts';
import { buildEnvelope, createKafkaClient, ensureTopics, parseBrokers, partitionOf } from '@attest/messaging';
import { ensureDatabase } from '@attest/persistence';
import { listenWhenReady, suiteDatabaseUrl } from '@attest/testing';
import { SERVICE } from '../config';

export const HARNESS_ADMIN_TOKEN = 'usage-ingest-int-spec-admin-token';

export interface UsageIngestHarness {
  app: INestApplication;
  baseUrl: string;
  kafka: Kafka;
  groupPrefix: string;
  /** The `gateway.access-log.v1` batch consumer's group (also the `consumer` of its stored positions). */
  accessLogGroup: string;
  /** The `gateway.access-log.v2` batch consumer's group (also the `consumer` of its stored positions). */
  accessLogBatchesGroup: string;
  /** The `gateway.access-log.v3` batch consumer's group. */
  accessLogColumnsGroup: string;
  close(): Promise<void>;
}

/**
 * Starts usage-ingest in-process for an integration spec, on the shared broker, with a database and
 * consumer groups of its own: the access log is shared by every suite running at once, and two groups
 * counting into one database would count each call twice. Its access-log groups (one per access-log
 * topic) start at their topic's current end, so the spec counts what it sends and never replays other
 * runs' traffic.
 */
export async function startUsageIngest(options: {
  /** The test database's URL; the suite gets its own database next to it, `<name>_<suite>`. */
  databaseUrl: string;
  suite: string;
  env?: Record<string, string>;
  /** Another process of an earlier harness: same database and groups, its committed offsets kept. */
  after?: UsageIngestHarness;
}): Promise<UsageIngestHarness> {
  const databaseUrl = suiteDatabaseUrl(options.suite, options.databaseUrl);
  await ensureDatabase(databaseUrl);
  const groupPrefix = options.after?.groupPrefix ?? `usage-ingest-spec-${randomUUID().slice(0, 8)}`;
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ATTEST_ADMIN_TOKEN: HARNESS_ADMIN_TOKEN,
    KAFKA_GROUP_PREFIX: groupPrefix,
    ...options.env,
  });
  const kafka = options.after?.kafka ?? createKafkaClient({ clientId: 'usage-ingest-int-spec', brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') });
  const accessLogGroup = `${groupPrefix}.${SERVICE}.access-log`;
  const accessLogBatchesGroup = `${groupPrefix}.${SERVICE}.access-log-batches`;
  const accessLogColumnsGroup = `${groupPrefix}.${SERVICE}.access-log-columns`;
  if (!options.after) {
    const groups = [
      { topic: TOPICS.accessLog, groupId: accessLogGroup },
      { topic: TOPICS.accessLogBatches, groupId: accessLogBatchesGroup },
      { topic: TOPICS.accessLogColumns, groupId: accessLogColumnsGroup },
    ];
    await ensureTopics(kafka, groups.map((g) => g.topic));
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const { topic, groupId } of groups) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
      }
    } finally {
      await admin.disconnect();
    }
  }
  // Imported only now: the module reads its settings from the environment set just above.
  const { AppModule } = await import('../app.module');
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  const baseUrl = await listenWhenReady(app, 'usage-ingest');
  // Ready means the grants consumer fetched once, so a grant announced from now on is not skipped.
  return { app, baseUrl, kafka, groupPrefix, accessLogGroup, accessLogBatchesGroup, accessLogColumnsGroup, close: () => app.close() };
}

/** A grant as enforcement announces it, active and created now unless told otherwise. */
export function grantState(overrides: Partial<AccessGrant> = {}): AccessGrant {
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

/** One allowed call under the grant with the key, as the gateway logs it, unless told otherwise. */
export function accessLogRecord(grant: AccessGrant, keyId: string, overrides: Partial<AccessLogRecord> = {}): AccessLogRecord {
  return {
    requestId: randomUUID(),
    at: new Date().toISOString(),
    method: 'GET',
    path: '/orders/v1/orders/42',
    status: 200,
    outcome: 'allowed',
    latencyMs: 2.5,
    apiId: grant.apiId,
    route: 'GET /orders/:id',
    keyId,
    principalId: grant.principalId,
    grantId: grant.grantId,
    gatewayId: 'gw-int-spec',
    ...overrides,
  };
}

/** Sends grant states keyed by grant id, as enforcement does. */
export async function announceGrants(producer: Producer, grants: AccessGrant[]): Promise<void> {
  await producer.send({
    topic: TOPICS.accessGrants,
    acks: -1,
    messages: grants.map((grant) => ({
      key: grant.grantId,
      value: JSON.stringify(buildEnvelope({ topic: TOPICS.accessGrants, subject: grant.grantId, data: grant, source: 'enforcement' })),
    })),
  });
}

/**
 * Sends access-log records in one request, keyed by key id as the gateway does (one key's records
 * stay in order on one partition); a string is sent as a raw, invalid value under the given key.
 * Returns where each landed.
 */
export async function produceAccessLogs(
  producer: Producer,
  records: Array<AccessLogRecord | { key: string; raw: string }>,
): Promise<Array<{ partition: number; offset: string }>> {
  const messages = records.map((record) =>
    'raw' in record
      ? { key: record.key, value: record.raw }
      : {
          key: accessLogKey(record),
          value: JSON.stringify(buildEnvelope({ topic: TOPICS.accessLog, subject: accessLogKey(record), data: record, source: 'gateway' })),
        },
  );
  const metadata = await producer.send({ topic: TOPICS.accessLog, acks: -1, messages });
  // Records of one partition got consecutive offsets in the order sent.
  const next = new Map(metadata.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
  return messages.map((message) => {
    const partition = partitionOf(TOPICS.accessLog, message.key);
    const offset = next.get(partition)!;
    next.set(partition, offset + 1n);
    return { partition, offset: offset.toString() };
  });
}

/** One `gateway.access-log.v2` (or v3) message as produced, with the records it carries (as `accessLogRecordsOf` gives them back). */
export interface ProducedAccessLogBatch {
  partition: number;
  offset: string;
  records: AccessLogRecord[];
}

/**
 * Sends access-log records as the gateway now does, on `gateway.access-log.v2`: grouped by gateway and
 * by `accessLogPartition` of each record's key (key id, or request id when no key matched), up to
 * `maxRecords` records a message, each message keyed by its gateway id and sent to that partition
 * explicitly. All go in one request; returns each message, in the order sent, with where it landed.
 * With `columns`, the same messages go to `gateway.access-log.v3`, in its columns.
 */
export async function produceAccessLogBatches(
  producer: Producer,
  records: readonly AccessLogRecord[],
  options: { maxRecords?: number; columns?: boolean } = {},
): Promise<ProducedAccessLogBatch[]> {
  const topic = options.columns ? TOPICS.accessLogColumns : TOPICS.accessLogBatches;
  const byGateway = new Map<string, AccessLogRecord[]>();
  for (const record of records) {
    const sent = byGateway.get(record.gatewayId);
    if (sent === undefined) byGateway.set(record.gatewayId, [record]);
    else sent.push(record);
  }
  const batches = [...byGateway].flatMap(([gatewayId, sent]) =>
    groupAccessLogRecords(sent, options.maxRecords).map(({ partition, records: carried }) => ({ gatewayId, partition, records: carried })),
  );
  const messages = batches.map(({ gatewayId, partition, records: carried }) => {
    // The gateway id is said once, for the whole message.
    const entries: AccessLogEntryRecord[] = carried.map(({ gatewayId: _gatewayId, ...entry }) => entry);
    const envelope = options.columns
      ? buildEnvelope({ topic: TOPICS.accessLogColumns, subject: gatewayId, source: 'gateway', data: accessLogColumnsOf(gatewayId, entries.map(accessLogCallOf)) })
      : buildEnvelope({ topic: TOPICS.accessLogBatches, subject: gatewayId, source: 'gateway', data: { gatewayId, records: entries } });
    return { key: gatewayId, partition, value: JSON.stringify(envelope) };
  });
  const metadata = await producer.send({ topic, acks: -1, messages });
  // Messages of one partition got consecutive offsets in the order sent.
  const next = new Map(metadata.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
  return batches.map(({ partition, records: carried }) => {
    const offset = next.get(partition)!;
    next.set(partition, offset + 1n);
    return { partition, offset: offset.toString(), records: carried };
  });
}

/** A record as the gateway held it before producing it: its time in epoch milliseconds, no gateway id. */
export function accessLogCallOf(record: AccessLogEntryRecord & { gatewayId?: string }): AccessLogCall {
  const { requestId, at, method, path, status, outcome, latencyMs, apiId, route, keyId, principalId, grantId } = record;
  return { requestId, atMs: Date.parse(at), method, path, status, outcome, latencyMs, apiId, route, keyId, principalId, grantId };
}
