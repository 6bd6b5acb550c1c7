import { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { TOPICS } from '@attest/contracts';
import { MessagingMetrics } from '../messaging.metrics';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';

describe('DeadLetterPublisher', () => {
  let now: number;
  let warn: jest.SpyInstance;
  const sent: Array<{ topic: string; headers: Record<string, string> }> = [];
  const producer = {
    send: async (request: { topic: string; messages: Array<{ headers: Record<string, string> }> }) => {
      for (const message of request.messages) sent.push({ topic: request.topic, headers: message.headers });
    },
  } as unknown as Producer;
  const letter = (offset: number, consumer = 'attest.usage-ingest.access-log'): DeadLetter => ({
    topic: TOPICS.accessLog,
    partition: 0,
    offset: String(offset),
    key: null,
    value: Buffer.from('{}'),
    reason: 'invalid envelope',
    consumer,
  });

  beforeEach(() => {
    now = 1_000_000;
    sent.length = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('parks and counts every letter, but logs a burst only in part and then says how many went unlogged', async () => {
    const metrics = new MessagingMetrics();
    const publisher = new DeadLetterPublisher(producer, metrics);
    for (let offset = 0; offset < 25; offset++) await publisher.publish(letter(offset));
    await publisher.publish(letter(99, 'attest.review-scheduler'));

    expect(sent).toHaveLength(26);
    expect(new Set(sent.map((s) => s.topic))).toEqual(new Set([`${TOPICS.accessLog}.dlq`]));
    const counted = await metrics.registry.getSingleMetric('attest_messages_dead_lettered_total')!.get();
    expect(counted.values.map((v) => [v.labels.consumer, v.value])).toEqual([
      ['attest.usage-ingest.access-log', 25],
      ['attest.review-scheduler', 1],
    ]);
    const lines = warn.mock.calls.map(([line]) => String(line));
    expect(lines).toHaveLength(11); // 10 of the burst, and the other consumer's one
    expect(lines[9]).toMatch(/@9 for attest\.usage-ingest\.access-log: invalid envelope \(more this minute are counted/);

    now += 60_000;
    await publisher.publish(letter(100));
    expect(warn.mock.calls.slice(11).map(([line]) => String(line))).toEqual([
      expect.stringMatching(/^15 more messages of gateway\.access-log\.v1 for attest\.usage-ingest\.access-log were dead-lettered/),
      expect.stringMatching(/@100 for attest\.usage-ingest\.access-log: invalid envelope$/),
    ]);
  });
});
