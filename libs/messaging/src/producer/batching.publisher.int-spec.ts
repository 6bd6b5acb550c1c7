import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { TOPICS, AccessLogRecord } from '@attest/contracts';
import { testKafka, TopicProbe, waitFor } from '@attest/testing';
import { ensureTopics } from '../topic.admin';
import { BatchingPublisher } from './batching.publisher';

const record = (requestId: string): AccessLogRecord => ({
  requestId,
  at: new Date().toISOString(),
  method: 'GET',
  path: '/x',
  status: 401,
  outcome: 'unauthenticated',
  latencyMs: 1,
  apiId: null,
  route: null,
  keyId: null,
  principalId: null,
  grantId: null,
  gatewayId: 'test',
});


// Real broker and database on a shared 2-core machine: steps wait on deadlines of their own.
jest.setTimeout(30_000);
describe('batching publisher against a real broker', () => {
  let kafka: Kafka;
  let producer: Producer;
  let probe: TopicProbe;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureTopics(kafka, [TOPICS.accessLog]);
    producer = kafka.producer();
    await producer.connect();
    probe = await new TopicProbe(kafka, [TOPICS.accessLog], { from: 'end' }).start();
  });

  afterAll(async () => {
    await probe?.stop();
    await producer.disconnect();
  });

  // FastRecordProducer's refusal is recognised as the same (record-producer.int-spec); its library cannot load under Jest.
  it('splits a batch the broker refuses as too large and sends it in order, dropping only a message too large alone', async () => {
    const publisher = new BatchingPublisher({ producer, topic: TOPICS.accessLog, source: 'test', lingerMs: 60_000 });
    const run = randomUUID();
    // Three 400 kB messages for one partition exceed the broker's 1 MB per partition batch together, not alone; 1.2 MB does alone.
    const sizes = [0, 400_000, 400_000, 400_000, 1_200_000, 0];
    sizes.forEach((size, i) => publisher.publish(`${run}-${i}`, { ...record(`${run}-${i}`), path: `/${'x'.repeat(size)}` }, { partition: 0 }));
    await publisher.flush();

    expect({ sent: publisher.sentCount, dropped: publisher.droppedCount, buffered: publisher.bufferedCount }).toEqual({ sent: 5, dropped: 1, buffered: 0 });
    const landed = () => probe.where((m) => typeof m.value === 'object' && (m.value as { data?: { requestId?: string } }).data?.requestId?.startsWith(run) === true);
    await waitFor(() => landed().length >= 5, { description: 'the five deliverable messages on the topic' });
    const ids = landed()
      .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
      .map((m) => (m.value as { data: { requestId: string } }).data.requestId);
    expect(ids).toEqual([0, 1, 2, 3, 5].map((i) => `${run}-${i}`));
    expect(new Set(landed().map((m) => m.partition))).toEqual(new Set([0]));
  });

  it('keeps records through a failed send and drains the backlog in chunks of at most maxBatch', async () => {
    const sends: number[] = [];
    let failing = true;
    const flaky = {
      send: async (request: Parameters<Producer['send']>[0]) => {
        sends.push(request.messages.length);
        if (failing) throw new Error('broker unavailable');
        return producer.send(request);
      },
    } as unknown as Producer;
    const publisher = new BatchingPublisher({ producer: flaky, topic: TOPICS.accessLog, source: 'test', maxBatch: 10, lingerMs: 5 });
    const run = randomUUID();
    for (let i = 0; i < 35; i++) publisher.publish(`${run}-${i}`, record(`${run}-${i}`));
    await waitFor(() => sends.length >= 1, { description: 'a failed attempt' });
    failing = false;
    await waitFor(() => publisher.sentCount === 35, { description: 'backlog drained', timeoutMs: 10000 });
    expect(publisher.bufferedCount).toBe(0);
    expect(Math.max(...sends)).toBeLessThanOrEqual(10);
    await publisher.close();
  });
});
