import { Admin, Kafka, KafkaJSProtocolError } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topic, TOPIC_SPECS, deadLetterTopic } from '@attest/contracts';

/** How long a topic may take, once created, until every partition has a leader that answers. */
const TOPIC_READY_TIMEOUT_MS = 30_000;
const TOPIC_READY_POLL_MS = 100;

/**
 * Creates the named topics and their dead-letter topics when missing, and returns once every partition
 * of each answers for its offsets. Every service calls it for the topics it touches, so start-up order
 * does not matter and a fresh broker needs no manual step.
 *
 * Ready is waited for even when the topic already existed: a sibling may have created it a moment
 * before, and until its partitions' leaders are in place the broker refuses offsets requests with
 * NOT_LEADER_OR_FOLLOWER, which kafkajs's admin does not retry.
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
    await waitUntilTopicsReady(admin, wanted.map((spec) => spec.topic));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Returns once every partition of each topic answers an offsets request from its leader, retrying the
 * retriable refusals of a topic still being set up; throws, naming the topic, past the timeout.
 */
export async function waitUntilTopicsReady(admin: Admin, topics: readonly string[], timeoutMs = TOPIC_READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    while (!(await answersOffsets(admin, topic, deadline))) await sleep(TOPIC_READY_POLL_MS);
  }
}

/** True once every partition of the topic answers; false on a retriable refusal before the deadline; throws otherwise. */
async function answersOffsets(admin: Admin, topic: string, deadline: number): Promise<boolean> {
  try {
    await admin.fetchTopicOffsets(topic);
    return true;
  } catch (error) {
    // Not-yet-elected leaders and not-yet-propagated metadata are retriable protocol errors.
    const retriable = error instanceof KafkaJSProtocolError && error.retriable;
    if (retriable && Date.now() <= deadline) return false;
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`topic ${topic} is not ready: ${why}`, { cause: error });
  }
}
