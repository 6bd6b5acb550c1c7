import { randomUUID } from 'node:crypto';
import { ACCESS_LOG_BATCH_MAX_RECORDS, AccessLogColumns, accessLogColumnsSchema, accessLogPartition, accessLogRecordsOfColumns, TOPIC_SPECS, TOPICS } from '@attest/contracts';
import { RecordBatchRequest, RecordProducer } from '@attest/messaging';
import { waitFor } from '@attest/testing';
import { accessLogEntry } from './access-log-entry.fixtures';
import { AccessLogBatcher, MAX_MESSAGE_BYTES } from './access-log.batcher';

/** Keeps every produce request; the broker itself is exercised by the worker's integration spec. */
class CapturingProducer implements RecordProducer {
  readonly requests: RecordBatchRequest[] = [];

  async send(request: RecordBatchRequest): Promise<void> {
    this.requests.push(request);
  }

  /** Each message as sent (`columns`), and its records as a consumer reads them back (`batch`). */
  get messages() {
    return this.requests.flatMap((request) =>
      request.messages.map((message) => {
        const columns = (JSON.parse(message.value) as { data: AccessLogColumns }).data;
        const { records, rejected } = accessLogRecordsOfColumns(columns);
        expect(rejected).toEqual([]);
        return {
          topic: request.topic,
          partition: message.partition,
          bytes: Buffer.byteLength(message.value),
          columns,
          batch: { gatewayId: columns.gatewayId, records: records.map((r) => r.record) },
        };
      }),
    );
  }
}

const PARTITIONS = TOPIC_SPECS[TOPICS.accessLogColumns].partitions;

/** `count` random key ids, as many on each partition as the others (within one): random ids alone miss a partition now and then. */
function keysOnEveryPartition(count: number): string[] {
  const perPartition = Math.ceil(count / PARTITIONS);
  const taken = new Array<number>(PARTITIONS).fill(0);
  const keys: string[] = [];
  while (keys.length < count) {
    const key = randomUUID();
    const partition = accessLogPartition(key);
    if (taken[partition] === perPartition) continue;
    taken[partition]++;
    keys.push(key);
  }
  return keys;
}

describe('AccessLogBatcher', () => {
  it('sends each partition its own keys’ records, many per message, every record once', async () => {
    const producer = new CapturingProducer();
    const batcher = new AccessLogBatcher({ producer, gatewayId: 'gw-1', maxRecords: 10, lingerMs: 60_000 });
    const keys = keysOnEveryPartition(12);
    const entries = Array.from({ length: 120 }, (_, i) => accessLogEntry({ requestId: `req-${i}`, keyId: keys[i % keys.length] }));
    for (const entry of entries) batcher.add(entry);
    await batcher.flush();

    const messages = producer.messages;
    expect(new Set(messages.map((m) => m.topic))).toEqual(new Set([TOPICS.accessLogColumns]));
    // Each record as the request thread knew it, its time formatted.
    const byRequest = new Map(messages.flatMap((m) => m.batch.records).map((r) => [r.requestId, r]));
    expect(byRequest.size).toBe(entries.length);
    for (const { atMs, ...entry } of entries) expect(byRequest.get(entry.requestId)).toEqual({ ...entry, at: new Date(atMs).toISOString(), gatewayId: 'gw-1' });
    for (const message of messages) {
      expect(accessLogColumnsSchema.parse(message.columns)).toEqual(message.columns);
      expect(message.batch.gatewayId).toBe('gw-1');
      expect(message.batch.records.length).toBeLessThanOrEqual(10);
      for (const record of message.batch.records) expect(accessLogPartition(record.keyId!)).toBe(message.partition);
    }
    // Twelve keys spread over every partition, and no message smaller than it had to be.
    expect(new Set(messages.map((m) => m.partition)).size).toBe(PARTITIONS);
    const perPartition = new Map<number, number>();
    for (const entry of entries) perPartition.set(accessLogPartition(entry.keyId!), (perPartition.get(accessLogPartition(entry.keyId!)) ?? 0) + 1);
    expect(messages).toHaveLength([...perPartition.values()].reduce((sum, records) => sum + Math.ceil(records / 10), 0));
    expect(batcher.sentCount).toBe(entries.length);
  });

  it('sends a full group at once and a partial one after the linger, keyed by request id when no key matched', async () => {
    const producer = new CapturingProducer();
    const batcher = new AccessLogBatcher({ producer, gatewayId: 'gw-2', maxRecords: 3, lingerMs: 30 });
    const keyId = randomUUID();
    for (let i = 0; i < 3; i++) batcher.add(accessLogEntry({ requestId: `full-${i}`, keyId }));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(producer.messages.map((m) => m.batch.records.map((r) => r.requestId))).toEqual([['full-0', 'full-1', 'full-2']]);

    await batcher.close();

    const lingering = new CapturingProducer();
    const partial = new AccessLogBatcher({ producer: lingering, gatewayId: 'gw-2', maxRecords: 3, lingerMs: 30 });
    partial.add(accessLogEntry({ requestId: 'anonymous', keyId: null, outcome: 'unauthenticated', status: 401 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lingering.messages).toHaveLength(0);
    await waitFor(() => lingering.messages.length > 0, { timeoutMs: 5_000, description: 'the partial group after its linger' });
    expect(lingering.messages).toEqual([expect.objectContaining({ partition: accessLogPartition('anonymous'), batch: expect.objectContaining({ records: [expect.objectContaining({ requestId: 'anonymous', keyId: null })] }) })]);
    await partial.close();
  });

  it('keeps every message under the size the broker accepts three times over, however long the paths', async () => {
    const producer = new CapturingProducer();
    const batcher = new AccessLogBatcher({ producer, gatewayId: 'gw-3', lingerMs: 60_000 });
    const keyId = randomUUID();
    // Two hundred 12,000-character paths (non-ASCII, 2 bytes each) would be 4.8 MB in one message.
    const entries = Array.from({ length: 200 }, (_, i) => accessLogEntry({ requestId: `long-${i}`, keyId, path: `/${'é'.repeat(12_000)}` }));
    for (const entry of entries) batcher.add(entry);
    await batcher.flush();

    const messages = producer.messages;
    expect(messages.flatMap((m) => m.batch.records.map((r) => r.requestId))).toEqual(entries.map((e) => e.requestId));
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(message.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const perRequest = producer.requests.map((request) => request.messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0));
    for (const bytes of perRequest) expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('puts a busy key’s calls of short paths nearly a thousand to a message, every id said once per message', async () => {
    const producer = new CapturingProducer();
    const batcher = new AccessLogBatcher({ producer, gatewayId: 'gw-4', lingerMs: 60_000 });
    // The fixture gives each call ids of its own; a gateway's calls share their key's.
    const [keyId, apiId, principalId, grantId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const entries = Array.from({ length: 3_000 }, (_, i) => accessLogEntry({ requestId: randomUUID(), keyId, apiId, principalId, grantId, path: `/items/${i}` }));
    for (const entry of entries) batcher.add(entry);
    await batcher.flush();

    const messages = producer.messages;
    expect(messages.flatMap((m) => m.batch.records.map((r) => r.requestId))).toEqual(entries.map((e) => e.requestId));
    // Every message but the last closed only when the next record might have passed the size bound, or at the contract's maximum.
    const full = messages.slice(0, -1);
    expect(full.length).toBe(3);
    for (const message of full) {
      expect(message.batch.records.length).toBeGreaterThan(900);
      expect(message.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(message.columns.strings.filter((s) => s === keyId)).toEqual([keyId]);
    }
    expect(Math.max(...messages.map((m) => m.batch.records.length))).toBeLessThanOrEqual(ACCESS_LOG_BATCH_MAX_RECORDS);
  });

  it('sends the groups that lingered together in one produce request', async () => {
    const producer = new CapturingProducer();
    const batcher = new AccessLogBatcher({ producer, gatewayId: 'gw-5', lingerMs: 30 });
    // One key per partition.
    const keys = new Map<number, string>();
    while (keys.size < PARTITIONS) {
      const key = randomUUID();
      if (!keys.has(accessLogPartition(key))) keys.set(accessLogPartition(key), key);
    }
    for (const keyId of keys.values()) for (let i = 0; i < 5; i++) batcher.add(accessLogEntry({ requestId: randomUUID(), keyId }));
    await waitFor(() => producer.requests.length > 0, { timeoutMs: 5_000, description: 'the lingering groups' });
    await batcher.flush();

    expect(producer.requests).toHaveLength(1);
    expect(producer.requests[0].messages.map((m) => m.partition).sort()).toEqual([...keys.keys()].sort());
    expect(producer.messages.map((m) => m.batch.records.length)).toEqual(Array(PARTITIONS).fill(5));
  });
});
