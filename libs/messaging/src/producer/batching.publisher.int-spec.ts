import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { TOPICS, AccessLogRecord } from '@attest/contracts';
import { testKafka, waitFor } from '@attest/testing';
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

  beforeAll(async () => {
    kafka = testKafka();
    await ensureTopics(kafka, [TOPICS.accessLog]);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
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
