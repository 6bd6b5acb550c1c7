import { Kafka } from 'kafkajs';
import { Topic, TOPIC_SPECS, deadLetterTopic } from '@attest/contracts';

/**
 * Creates the named topics and their dead-letter topics when missing. Every service calls it for the
 * topics it touches, so start-up order does not matter and a fresh broker needs no manual step.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly Topic[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = topics.flatMap((topic) => {
      const spec = TOPIC_SPECS[topic];
      const configEntries = spec.compacted
        ? [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
            { name: 'segment.ms', value: '3600000' },
          ]
        : [];
      return [
        { topic, numPartitions: spec.partitions, replicationFactor: -1, configEntries },
        { topic: deadLetterTopic(topic), numPartitions: 1, replicationFactor: -1, configEntries: [] },
      ];
    });
    const missing = wanted.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true }).catch((error: { type?: string }) => {
        // A sibling service may create the same topic between our list and create calls.
        if (error.type !== 'TOPIC_ALREADY_EXISTS') throw error;
      });
    }
  } finally {
    await admin.disconnect();
  }
}
