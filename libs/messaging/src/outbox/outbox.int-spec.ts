import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { TOPICS } from '@attest/contracts';
import { TopicProbe, createTestSchema, testKafka, waitFor } from '@attest/testing';
import { messagingMigrations } from './messaging-tables.migration';
import { OutboxWriter } from './outbox.writer';
import { OutboxRelay } from './outbox.relay';
import { ensureTopics } from '../topic.admin';

const auditOf = (targetId: string, action: string) => ({
  actor: 'test',
  action,
  targetType: 'grant',
  targetId,
  reason: null,
  details: {},
});


// Real broker and database on a shared 2-core machine: steps wait on deadlines of their own.
jest.setTimeout(30_000);
describe('transactional outbox against real Postgres and Kafka', () => {
  let kafka: Kafka;
  let producer: Producer;
  let probe: TopicProbe;
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let writer: OutboxWriter;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    await ensureTopics(kafka, [TOPICS.auditEvents]);
    producer = kafka.producer({ maxInFlightRequests: 1 });
    await producer.connect();
    probe = await new TopicProbe(kafka, [TOPICS.auditEvents]).start();
    db = await createTestSchema({ prefix: 'outbox_test', migrations: (schema) => messagingMigrations(schema) });
  });

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await probe.stop();
    await producer.disconnect();
    await db.drop();
  });

  beforeEach(() => {
    writer = new OutboxWriter(db.schema, 'outbox-test');
  });

  function relay(overrides: Partial<{ producer: Producer }> = {}): OutboxRelay {
    const created = new OutboxRelay({
      dataSource: db.dataSource,
      databaseUrl: db.url,
      schema: db.schema,
      producer: overrides.producer ?? producer,
      pollIntervalMs: 200,
    });
    relays.push(created);
    return created;
  }

  const published = (target: string) => probe.where((m) => m.key === target);
  const pendingRows = async () => Number((await db.dataSource.query(`SELECT count(*) AS n FROM "${db.schema}".outbox`))[0].n);

  it('publishes events committed while no relay ran (a crash between commit and publish loses nothing)', async () => {
    const target = randomUUID();
    await db.dataSource.transaction(async (tx) => {
      for (const action of ['created', 'narrowed', 'revoked']) {
        await writer.add(tx, { topic: TOPICS.auditEvents, key: target, data: auditOf(target, action) });
      }
    });
    expect(await pendingRows()).toBe(3);

    const running = relay();
    await running.start();

    const messages = await waitFor(() => published(target).length === 3 && published(target), {
      description: 'three outbox events on Kafka',
    });
    expect(messages.map((m) => (m.value as { data: { action: string } }).data.action)).toEqual([
      'created',
      'narrowed',
      'revoked',
    ]);
    await waitFor(async () => (await pendingRows()) === 0, { description: 'outbox drained' });
    await running.stop();

    // The relay remembers where each event landed, exactly where a consumer found it.
    const recorded: Array<{ event_id: string; kafka_partition: number; kafka_offset: string }> = await db.dataSource.query(
      `SELECT event_id, kafka_partition, kafka_offset FROM "${db.schema}".outbox_published WHERE message_key = $1`,
      [target],
    );
    expect(recorded).toHaveLength(3);
    for (const message of messages) {
      const row = recorded.find((r) => r.event_id === (message.value as { id: string }).id);
      expect(row).toMatchObject({ kafka_partition: message.partition, kafka_offset: message.offset });
    }
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const target = randomUUID();
    await expect(
      db.dataSource.transaction(async (tx) => {
        await writer.add(tx, { topic: TOPICS.auditEvents, key: target, data: auditOf(target, 'created') });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await pendingRows()).toBe(0);
  });

  it('republishes rows when the relay dies after sending but before recording it (at-least-once)', async () => {
    const target = randomUUID();
    // The crashing relay publishes again on every poll until it is stopped: how many times depends on the machine's speed.
    let crashedDeliveries = 0;
    const crashingProducer = {
      sendBatch: async (batch: Parameters<Producer['sendBatch']>[0]) => {
        await producer.sendBatch(batch);
        crashedDeliveries++;
        throw new Error('relay killed after publish');
      },
    } as unknown as Producer;
    const crashing = relay({ producer: crashingProducer });
    await crashing.start();
    let envelopeId = '';
    await db.dataSource.transaction(async (tx) => {
      envelopeId = (await writer.add(tx, { topic: TOPICS.auditEvents, key: target, data: auditOf(target, 'created') })).id;
    });
    await waitFor(() => published(target).length >= 1, { description: 'first delivery' });
    await crashing.stop();
    expect(await pendingRows()).toBe(1);

    const healthy = relay();
    await healthy.start();
    await waitFor(async () => (await pendingRows()) === 0, { description: 'outbox drained by the next relay' });
    await waitFor(() => published(target).length === crashedDeliveries + 1, { description: 'the next relay’s delivery' });
    // Both deliveries carry the same event id, which is what lets consumers drop the duplicate.
    expect(new Set(published(target).map((m) => (m.value as { id: string }).id))).toEqual(new Set([envelopeId]));
    await healthy.stop();
  });

  it('lets only one relay per schema publish, so replicas never interleave a key\'s events', async () => {
    const first = relay();
    const second = relay();
    await first.start();
    await second.start();
    await waitFor(() => first.isLeader || second.isLeader, { description: 'a leader' });
    expect(first.isLeader && second.isLeader).toBe(false);
    await first.stop();
    await second.stop();
  });
});
