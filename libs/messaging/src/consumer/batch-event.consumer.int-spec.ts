import { randomUUID } from 'node:crypto';
import { Admin, Kafka, Producer } from 'kafkajs';
import { deadLetterTopic, ReviewDecision, TOPICS } from '@attest/contracts';
import { createTestSchema, TopicProbe, testKafka, waitFor } from '@attest/testing';
import { messagingMigrations } from '../outbox/messaging-tables.migration';
import { buildEnvelope } from '../envelope.factory';
import { ensureTopics } from '../topic.admin';
import { BatchEventConsumer } from './batch-event.consumer';
import { consumerPositionsMigration } from './consumer-positions.migration';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { MessagingMetrics } from '../messaging.metrics';

jest.setTimeout(60_000);

const TOPIC = TOPICS.reviewDecisions;

const appliedTable = (schema: string) =>
  class Applied1764201600001 {
    name = 'Applied1764201600001';
    async up(runner: { query: (sql: string) => Promise<unknown> }) {
      await runner.query(`CREATE TABLE "${schema}".applied (grant_id uuid PRIMARY KEY, times int NOT NULL)`);
    }
    async down(runner: { query: (sql: string) => Promise<unknown> }) {
      await runner.query(`DROP TABLE "${schema}".applied`);
    }
  };

describe('batch consumer with positions stored in Postgres, against real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let dlq: TopicProbe;
  let db: Awaited<ReturnType<typeof createTestSchema>>;
  let consumer: BatchEventConsumer<typeof TOPIC>;
  const groupId = `batch-consumer-test-${randomUUID()}`;
  /** Grants this suite sent: the topic is shared with other suites and runs. */
  const mine = new Set<string>();
  /** Dead letters this suite's consumer wrote: other services consuming the shared topic park the same records too. */
  const lettersFor = (key: string) => dlq.where((m) => m.key === key && m.headers['x-dlq-consumer'] === groupId);
  /** Grants whose batch the handler fails on, every time. */
  const failing = new Set<string>();
  const batchSizes: number[] = [];

  const decision = (grantId: string, reason = 'unused'): ReviewDecision => ({
    decisionId: randomUUID(),
    grantId,
    decision: 'revoke',
    reviewer: 'alice@example.com',
    reason,
    decidedAt: new Date().toISOString(),
  });
  const envelopeOf = (grantId: string, reason?: string) =>
    JSON.stringify(buildEnvelope({ topic: TOPIC, subject: grantId, data: decision(grantId, reason), source: 'test' }));
  /** Every value under one Kafka key, so they land on one partition and arrive as one batch. */
  async function sendTogether(key: string, values: string[]): Promise<{ partition: number; baseOffset: string }> {
    const [metadata] = await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ key, value })) });
    return { partition: metadata.partition, baseOffset: metadata.baseOffset! };
  }
  const timesApplied = async (grantId: string): Promise<number> =>
    (await db.dataSource.query(`SELECT times FROM "${db.schema}".applied WHERE grant_id = $1`, [grantId]))[0]?.times ?? 0;
  const storedPosition = async (partition: number): Promise<string | undefined> =>
    (
      await db.dataSource.query(
        `SELECT next_offset FROM "${db.schema}".consumer_positions WHERE consumer = $1 AND topic = $2 AND partition = $3`,
        [groupId, TOPIC, partition],
      )
    )[0]?.next_offset;

  function newConsumer(): BatchEventConsumer<typeof TOPIC> {
    return new BatchEventConsumer({
      kafka,
      dataSource: db.dataSource,
      schema: db.schema,
      groupId,
      deadLetters: new DeadLetterPublisher(producer, new MessagingMetrics()),
      maxAttempts: 2,
      fetch: { maxWaitTimeInMs: 100 },
      handler: {
        topic: TOPIC,
        handle: async (events, tx) => {
          const ours = events.filter((e) => mine.has(e.event.data.grantId));
          if (ours.length > 0) batchSizes.push(ours.length);
          if (ours.some((e) => failing.has(e.event.data.grantId))) throw new Error('handler broke on this batch');
          const applicable = ours.filter((e) => e.event.data.reason !== 'poison');
          await tx.query(
            `INSERT INTO "${db.schema}".applied (grant_id, times)
             SELECT grant_id, count(*) FROM unnest($1::uuid[]) AS g(grant_id) GROUP BY grant_id
             ON CONFLICT (grant_id) DO UPDATE SET times = applied.times + EXCLUDED.times`,
            [applicable.map((e) => e.event.data.grantId)],
          );
          return ours
            .filter((e) => e.event.data.reason === 'poison')
            .map((e) => ({ offset: e.offset, reason: `grant ${e.event.data.grantId} is unknown` }));
        },
      },
    });
  }

  /** Starts the group at the topic's current end, so the suite reads only what it sends. */
  async function startGroupAtEnd(): Promise<void> {
    const ends = await admin.fetchTopicOffsets(TOPIC);
    await admin.setOffsets({ groupId, topic: TOPIC, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  }

  beforeAll(async () => {
    kafka = testKafka();
    await ensureTopics(kafka, [TOPIC]);
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
    dlq = await new TopicProbe(kafka, [deadLetterTopic(TOPIC)]).start();
    db = await createTestSchema({
      prefix: 'batch_consumer_test',
      migrations: (schema) => [...messagingMigrations(schema), consumerPositionsMigration(schema), appliedTable(schema)],
    });
    await startGroupAtEnd();
    consumer = newConsumer();
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await dlq?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await db?.drop();
  });

  it('applies a partition batch in one call and stores the position after its last record', async () => {
    const key = randomUUID();
    const grants = Array.from({ length: 50 }, () => randomUUID());
    grants.forEach((grant) => mine.add(grant));
    const before = batchSizes.length;
    const { partition, baseOffset } = await sendTogether(key, grants.map((grant) => envelopeOf(grant)));

    // At or past the batch's end: other suites may append to the shared topic behind it.
    await waitFor(async () => BigInt((await storedPosition(partition)) ?? -1) >= BigInt(baseOffset) + 50n, {
      description: 'position past the batch',
    });
    expect(await Promise.all(grants.map(timesApplied))).toEqual(grants.map(() => 1));
    // 50 records sent in one request come back in far fewer handler calls than records.
    expect(batchSizes.length - before).toBeLessThanOrEqual(5);
  });

  it('skips records redelivered after the group offsets were reset behind the stored position', async () => {
    const key = randomUUID();
    const grants = Array.from({ length: 10 }, () => randomUUID());
    grants.forEach((grant) => mine.add(grant));
    const { partition, baseOffset } = await sendTogether(key, grants.map((grant) => envelopeOf(grant)));
    await waitFor(async () => (await timesApplied(grants[9])) === 1, { description: 'first delivery applied' });

    // As if the process died after the database commit but before Kafka learned the offsets.
    await consumer.stop();
    await admin.setOffsets({ groupId, topic: TOPIC, partitions: [{ partition, offset: baseOffset }] });
    const marker = randomUUID();
    mine.add(marker);
    await sendTogether(key, [envelopeOf(marker)]);
    consumer = newConsumer();
    await consumer.start();

    // The marker sits behind the redelivered records on the same partition: once it is applied, they were seen.
    await waitFor(async () => (await timesApplied(marker)) === 1, { description: 'marker applied after restart' });
    expect(await Promise.all(grants.map(timesApplied))).toEqual(grants.map(() => 1));
    expect(consumer.skippedCount).toBeGreaterThanOrEqual(10);
  });

  it('dead-letters invalid and rejected records with reason, key and offset, and applies the rest of the batch', async () => {
    const key = randomUUID();
    const [before, poisoned, after] = [randomUUID(), randomUUID(), randomUUID()];
    [before, poisoned, after].forEach((grant) => mine.add(grant));
    const { baseOffset } = await sendTogether(key, [
      envelopeOf(before),
      '{"not": "an envelope"}',
      envelopeOf(poisoned, 'poison'),
      envelopeOf(after),
    ]);

    const letters = await waitFor(() => {
      const found = lettersFor(key);
      return found.length === 2 ? found : undefined;
    }, { description: 'two dead letters' });
    const byOffset = new Map(letters.map((letter) => [letter.headers['x-dlq-offset'], letter]));
    expect(byOffset.get(String(BigInt(baseOffset) + 1n))?.headers['x-dlq-reason']).toMatch(/invalid envelope/);
    expect(byOffset.get(String(BigInt(baseOffset) + 2n))?.headers['x-dlq-reason']).toBe(`grant ${poisoned} is unknown`);
    expect(letters.every((letter) => letter.headers['x-dlq-topic'] === TOPIC)).toBe(true);

    await waitFor(async () => (await timesApplied(after)) === 1, { description: 'the rest of the batch applied' });
    expect(await timesApplied(before)).toBe(1);
    expect(await timesApplied(poisoned)).toBe(0);
  });

  it('isolates a record that keeps failing its batch, dead-letters it alone and applies its neighbours', async () => {
    const key = randomUUID();
    const [first, stuck, last] = [randomUUID(), randomUUID(), randomUUID()];
    [first, stuck, last].forEach((grant) => mine.add(grant));
    failing.add(stuck);
    await sendTogether(key, [envelopeOf(first), envelopeOf(stuck), envelopeOf(last)]);

    const letter = await waitFor(() => lettersFor(key)[0], { description: 'the stuck record dead-lettered' });
    expect(letter.headers['x-dlq-reason']).toMatch(/failed 2 times: handler broke on this batch/);
    expect((letter.value as { data: ReviewDecision }).data.grantId).toBe(stuck);
    await waitFor(async () => (await timesApplied(last)) === 1, { description: 'the last record applied' });
    expect(await timesApplied(first)).toBe(1);
    expect(await timesApplied(stuck)).toBe(0);
    expect(lettersFor(key)).toHaveLength(1);
  });

  it('applies every record exactly once while a second member joins the group and the first leaves', async () => {
    const keys = Array.from({ length: 12 }, () => randomUUID());
    const sent: string[] = [];
    const sendRound = async () => {
      const grants = keys.map(() => randomUUID());
      grants.forEach((grant) => mine.add(grant));
      sent.push(...grants);
      await producer.send({ topic: TOPIC, acks: -1, messages: grants.map((grant, i) => ({ key: keys[i], value: envelopeOf(grant) })) });
    };
    await sendRound();
    const second = newConsumer();
    await second.start();
    for (let round = 0; round < 5; round++) await sendRound();
    // The first member leaves with batches in flight; the second takes over its partitions.
    await consumer.stop();
    for (let round = 0; round < 5; round++) await sendRound();
    consumer = second;

    await waitFor(async () => (await Promise.all(sent.map(timesApplied))).every((times) => times >= 1), {
      timeoutMs: 45_000,
      description: 'every record applied',
    });
    expect(await Promise.all(sent.map(timesApplied))).toEqual(sent.map(() => 1));
  });
});
