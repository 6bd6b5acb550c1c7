import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { deadLetterTopic, TOPICS, ReviewDecision } from '@attest/contracts';
import { TopicProbe, createTestSchema, testKafka, waitFor } from '@attest/testing';
import { messagingMigrations } from '../outbox/messaging-tables.migration';
import { buildEnvelope } from '../envelope.factory';
import { ensureTopics } from '../topic.admin';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { MessagingMetrics } from '../messaging.metrics';
import { EventConsumerHost, UnprocessableEventError } from './event-consumer.host';

const countersMigration = (schema: string) =>
  class Counters1763856000001 {
    name = 'Counters1763856000001';
    async up(runner: { query: (sql: string) => Promise<unknown> }) {
      await runner.query(`CREATE TABLE "${schema}".applied (grant_id uuid PRIMARY KEY, times int NOT NULL)`);
    }
    async down(runner: { query: (sql: string) => Promise<unknown> }) {
      await runner.query(`DROP TABLE "${schema}".applied`);
    }
  };


// Real broker and database on a shared 2-core machine: steps wait on deadlines of their own.
jest.setTimeout(30_000);
describe('idempotent consumer against real Postgres and Kafka', () => {
  let kafka: Kafka;
  let producer: Producer;
  let dlq: TopicProbe;
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let host: EventConsumerHost;
  const mine = new Set<string>();
  const failuresLeft = new Map<string, number>();

  const decision = (grantId: string): ReviewDecision => ({
    decisionId: randomUUID(),
    grantId,
    decision: 'revoke',
    reviewer: 'alice@example.com',
    reason: 'unused',
    decidedAt: new Date().toISOString(),
  });
  const timesApplied = async (grantId: string): Promise<number> =>
    (await db.dataSource.query(`SELECT times FROM "${db.schema}".applied WHERE grant_id = $1`, [grantId]))[0]?.times ?? 0;
  const groupId = `consumer-test-${randomUUID()}`;
  const metrics = new MessagingMetrics();
  const deadLettersCounted = async (): Promise<number> => {
    const counter = await metrics.registry.getSingleMetric('attest_messages_dead_lettered_total')!.get();
    return counter.values.find((sample) => sample.labels.consumer === groupId && sample.labels.topic === TOPICS.reviewDecisions)?.value ?? 0;
  };
  const send = (key: string, value: string) => producer.send({ topic: TOPICS.reviewDecisions, messages: [{ key, value }] });

  beforeAll(async () => {
    kafka = testKafka();
    await ensureTopics(kafka, [TOPICS.reviewDecisions]);
    producer = kafka.producer();
    await producer.connect();
    dlq = await new TopicProbe(kafka, [deadLetterTopic(TOPICS.reviewDecisions)]).start();
    db = await createTestSchema({
      prefix: 'consumer_test',
      migrations: (schema) => [...messagingMigrations(schema), countersMigration(schema)],
    });
    host = new EventConsumerHost({
      kafka,
      dataSource: db.dataSource,
      schema: db.schema,
      groupId,
      deadLetters: new DeadLetterPublisher(producer, metrics),
      maxAttempts: 3,
      // Start at the end of the shared topic: this suite asserts on its own events only.
      fromBeginning: false,
    });
    host.register({
      topic: TOPICS.reviewDecisions,
      handle: async (event, tx) => {
        const grantId = event.data.grantId;
        if (!mine.has(grantId)) return; // other suites' history on the shared topic
        if (event.data.reason === 'poison') throw new UnprocessableEventError(`grant ${grantId} is unknown`);
        const left = failuresLeft.get(grantId) ?? 0;
        if (left > 0) {
          failuresLeft.set(grantId, left - 1);
          throw new Error('transient failure in handler');
        }
        await tx.query(
          `INSERT INTO "${db.schema}".applied (grant_id, times) VALUES ($1, 1)
           ON CONFLICT (grant_id) DO UPDATE SET times = applied.times + 1`,
          [grantId],
        );
      },
    });
    await host.start();
    await waitFor(() => host.isConnected, { description: 'the consumer to join and fetch', timeoutMs: 20000 });
  });

  afterAll(async () => {
    await host.stop();
    await dlq.stop();
    await producer.disconnect();
    await db.drop();
  });

  it('applies a redelivered event once', async () => {
    const grantId = randomUUID();
    mine.add(grantId);
    const envelope = JSON.stringify(buildEnvelope({ topic: TOPICS.reviewDecisions, subject: grantId, data: decision(grantId), source: 'test' }));
    await send(grantId, envelope);
    await send(grantId, envelope);
    const marker = randomUUID();
    mine.add(marker);
    // Keyed like the grant's copies, so it lands on their partition, behind them.
    await send(grantId, JSON.stringify(buildEnvelope({ topic: TOPICS.reviewDecisions, subject: marker, data: decision(marker), source: 'test' })));

    // One partition is consumed in order, so once the later marker applied both copies were seen.
    await waitFor(async () => (await timesApplied(marker)) === 1, { description: 'marker applied' });
    expect(await timesApplied(grantId)).toBe(1);
  });

  it('retries a failing handler and applies the event once it succeeds', async () => {
    const grantId = randomUUID();
    mine.add(grantId);
    failuresLeft.set(grantId, 2);
    await send(grantId, JSON.stringify(buildEnvelope({ topic: TOPICS.reviewDecisions, subject: grantId, data: decision(grantId), source: 'test' })));
    await waitFor(async () => (await timesApplied(grantId)) === 1, { description: 'applied after retries' });
    expect(failuresLeft.get(grantId)).toBe(0);
  });

  it('dead-letters an invalid message with its reason, key and offset, and keeps consuming', async () => {
    const key = randomUUID();
    await send(key, JSON.stringify({ id: 'not-a-uuid', data: {} }));
    const letter = await waitFor(() => dlq.where((m) => m.key === key)[0], { description: 'dead letter' });
    expect(letter.headers['x-dlq-reason']).toMatch(/invalid envelope/);
    expect(letter.headers['x-dlq-topic']).toBe(TOPICS.reviewDecisions);
    expect(letter.headers['x-dlq-offset']).toMatch(/^\d+$/);
    // Counted on the metrics too: as many as this group's letters on the dead-letter topic.
    await waitFor(
      async () => {
        const counted = await deadLettersCounted();
        return counted >= 1 && counted === dlq.where((m) => m.headers['x-dlq-consumer'] === groupId).length;
      },
      { description: 'the dead letter counted' },
    );

    const after = randomUUID();
    mine.add(after);
    await send(after, JSON.stringify(buildEnvelope({ topic: TOPICS.reviewDecisions, subject: after, data: decision(after), source: 'test' })));
    await waitFor(async () => (await timesApplied(after)) === 1, { description: 'next event applied' });
  });

  it('dead-letters an event its handler declares unprocessable, and one that keeps failing', async () => {
    const poisoned = randomUUID();
    mine.add(poisoned);
    await send(poisoned, JSON.stringify(buildEnvelope({ topic: TOPICS.reviewDecisions, subject: poisoned, data: { ...decision(poisoned), reason: 'poison' }, source: 'test' })));
    const stuck = randomUUID();
    mine.add(stuck);
    failuresLeft.set(stuck, 100);
    await send(stuck, JSON.stringify(buildEnvelope({ topic: TOPICS.reviewDecisions, subject: stuck, data: decision(stuck), source: 'test' })));

    const poisonLetter = await waitFor(() => dlq.where((m) => m.key === poisoned)[0], { description: 'poison dead letter' });
    expect(poisonLetter.headers['x-dlq-reason']).toContain(`grant ${poisoned} is unknown`);
    const stuckLetter = await waitFor(() => dlq.where((m) => m.key === stuck)[0], { description: 'stuck dead letter' });
    expect(stuckLetter.headers['x-dlq-reason']).toMatch(/failed 3 times: transient failure/);
    expect(await timesApplied(poisoned)).toBe(0);
    expect(await timesApplied(stuck)).toBe(0);
  });

  it('prunes its own processed event ids past the retention, and keeps recent ones and other groups\' ones', async () => {
    const groupId = `prune-test-${randomUUID()}`;
    const pruning = new EventConsumerHost({
      kafka,
      dataSource: db.dataSource,
      schema: db.schema,
      groupId,
      deadLetters: new DeadLetterPublisher(producer, metrics),
      processedRetentionMs: 24 * 60 * 60 * 1000,
    });
    const old = [randomUUID(), randomUUID(), randomUUID()];
    const recent = randomUUID();
    const othersOld = randomUUID();
    const insert = (consumer: string, eventId: string, age: string) =>
      db.dataSource.query(`INSERT INTO "${db.schema}".processed_events (consumer, event_id, processed_at) VALUES ($1, $2, now() - $3::interval)`, [
        consumer,
        eventId,
        age,
      ]);
    for (const eventId of old) await insert(groupId, eventId, '2 days');
    await insert(groupId, recent, '1 hour');
    await insert('another-group', othersOld, '2 days');

    expect(await pruning.pruneProcessed()).toBe(3);
    const left: Array<{ consumer: string; event_id: string }> = await db.dataSource.query(
      `SELECT consumer, event_id FROM "${db.schema}".processed_events WHERE event_id = ANY($1::uuid[]) ORDER BY consumer`,
      [[...old, recent, othersOld]],
    );
    expect(left).toEqual([
      { consumer: 'another-group', event_id: othersOld },
      { consumer: groupId, event_id: recent },
    ]);
    expect(await pruning.pruneProcessed()).toBe(0);
  });
});
