import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, Partitioners } from 'kafkajs';
import { testKafka, waitFor } from '@attest/testing';
import type { RecordBatchRequest } from './record-producer';

jest.setTimeout(60_000);

/**
 * The producer's library is an ES module, which Jest's module system cannot load (Node itself can): the
 * compiled producer is driven in a Node process of its own, as the gateway's access-log worker runs it.
 */
const COMPILED = resolve(__dirname, '../../dist/producer/record-producer.js');
const SCRIPT = `
  const { FastRecordProducer, refusedAsTooLarge } = require(process.argv[1]);
  const producer = new FastRecordProducer({ clientId: 'fast-producer-int-spec', brokers: process.env.KAFKA_BROKERS.split(',') });
  const request = JSON.parse(process.argv[2]);
  // A value 'x*N' stands for N x's: a megabyte does not fit in one command-line argument.
  for (const message of request.messages) {
    const repeat = /^x\\*(\\d+)$/.exec(message.value);
    if (repeat) message.value = 'x'.repeat(Number(repeat[1]));
  }
  producer.send(request).then(
    () => producer.close().then(() => process.stdout.write('sent')),
    (error) => producer.close().finally(() => process.stdout.write((refusedAsTooLarge(error) ? 'refused as too large: ' : 'failed: ') + error.message)),
  );
`;

async function sendFast(request: RecordBatchRequest): Promise<string> {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: build first (npx tsc -b tsconfig.build.json)`);
  const env = { ...process.env, KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' };
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT, COMPILED, JSON.stringify(request)], { env, timeout: 45_000 });
  return stdout;
}

describe('FastRecordProducer against a real broker', () => {
  const topic = `attest-test-fast-producer-${randomUUID().slice(0, 8)}`;
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('puts every key on the partition kafkajs puts it on, values intact', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `key-${i}-ünïcode` : randomUUID()));
    // The first 50 keys twice: the second time the partitioner answers from its memory.
    const fastMessages = [...keys.map((key) => ({ key, by: 'fast' })), ...keys.slice(0, 50).map((key) => ({ key, by: 'again' }))];
    expect(await sendFast({ topic, acks: 1, messages: fastMessages.map(({ key, by }) => ({ key, value: JSON.stringify({ key, by }) })) })).toBe('sent');
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: 1, messages: keys.map((key) => ({ key, value: JSON.stringify({ key, by: 'kafkajs' }) })) });
    await producer.disconnect();

    const landed = new Map<string, { fast?: number; again?: number; kafkajs?: number }>();
    const consumer = kafka.consumer({ groupId: `fast-producer-int-spec-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = JSON.parse(message.value!.toString('utf8')) as { key: string; by: 'fast' | 'again' | 'kafkajs' };
        expect(message.key!.toString('utf8')).toBe(value.key);
        landed.set(value.key, { ...landed.get(value.key), [value.by]: partition });
      },
    });
    try {
      await waitFor(() => landed.size === keys.length && [...landed.values()].every((l) => l.fast !== undefined && l.kafkajs !== undefined), {
        timeoutMs: 30_000,
        description: 'both producers\' records',
      });
    } finally {
      await consumer.disconnect();
    }
    const mismatched = [...landed].filter(([, l]) => l.fast !== l.kafkajs || (l.again !== undefined && l.again !== l.kafkajs));
    expect(mismatched).toEqual([]);
    expect([...landed.values()].filter((l) => l.again !== undefined)).toHaveLength(50);
    // Spread over the partitions, not all on one.
    expect(new Set([...landed.values()].map((l) => l.fast)).size).toBe(6);
  });

  it('reports a message, or a partition batch, above the broker\'s size limit as refused for its size, and other failures not', async () => {
    expect(await sendFast({ topic, acks: 1, messages: [{ key: 'k', value: 'x*1200000', partition: 0 }] })).toMatch(/^refused as too large: /);
    const together = [1, 2, 3].map((i) => ({ key: `k${i}`, value: 'x*400000', partition: 1 }));
    expect(await sendFast({ topic, acks: 1, messages: together })).toMatch(/^refused as too large: /);
    expect(await sendFast({ topic, acks: 1, messages: together.slice(0, 2) })).toBe('sent');
    expect(await sendFast({ topic: `attest-test-missing-${randomUUID().slice(0, 8)}`, acks: 1, messages: [{ key: 'k', value: 'v' }] })).toMatch(/^failed: /);
  });

  it('rejects a send to a topic that does not exist instead of creating it', async () => {
    const missing = `attest-test-missing-${randomUUID().slice(0, 8)}`;
    expect(await sendFast({ topic: missing, acks: 1, messages: [{ key: 'k', value: 'v' }] })).toMatch(/^failed: /);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(missing);
    } finally {
      await admin.disconnect();
    }
  });
});
