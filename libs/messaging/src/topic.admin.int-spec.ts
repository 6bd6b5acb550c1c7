import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { testKafka } from '@attest/testing';
import { waitUntilTopicsReady } from './topic.admin';

// Real broker on a shared 2-core machine: a topic's partitions may take seconds to get their leaders.
jest.setTimeout(60_000);

describe('waitUntilTopicsReady against a real broker', () => {
  let kafka: Kafka;
  const created: string[] = [];

  beforeAll(() => {
    kafka = testKafka('topic-admin-int-spec');
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('returns only once every partition of a topic just created elsewhere answers for its offsets', async () => {
    // As a sibling service does: the topic is created without waiting, and the broker lists it at once.
    const topic = `topic-admin-spec-${randomUUID()}`;
    created.push(topic);
    const creator = kafka.admin();
    await creator.connect();
    await creator.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: false });
    await creator.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitUntilTopicsReady(admin, [topic]);
    } finally {
      await admin.disconnect();
    }

    // A client that never saw the topic before asks every partition's leader straight away.
    const reader = kafka.admin();
    await reader.connect();
    try {
      const offsets = await reader.fetchTopicOffsets(topic);
      expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(offsets.every((o) => o.high === '0')).toBe(true);
    } finally {
      await reader.disconnect();
    }
  });

  it('gives up on a topic that does not come up, naming it', async () => {
    const topic = `topic-admin-spec-missing-${randomUUID()}`;
    // No retries inside kafkajs: each refusal comes straight back to the wait's own loop.
    const admin = testKafka('topic-admin-int-spec', { logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();
    try {
      // Never created (the test broker does not create topics on a metadata request).
      await expect(waitUntilTopicsReady(admin, [topic], 500)).rejects.toThrow(`topic ${topic} is not ready`);
    } finally {
      await admin.disconnect();
    }
  });
});
