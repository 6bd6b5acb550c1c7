import { Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { TOPICS } from '@attest/contracts';

const logger = new Logger('AccessLogGroupMigration');

/**
 * The access log used to be consumed one event at a time in the service's main group, deduplicated by
 * processed-event ids. Its batch consumer has a group of its own; started afresh it would count the
 * whole topic again. So a new group with no offsets yet takes over where the old group stopped.
 * Another replica doing the same at once is harmless: the offsets are the same, or its group is
 * already running and the takeover is not needed.
 */
export async function adoptLegacyAccessLogOffsets(options: { kafka: Kafka; legacyGroup: string; group: string }): Promise<void> {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const offsetsOf = async (groupId: string) =>
      (await admin.fetchOffsets({ groupId, topics: [TOPICS.accessLog] }))[0]?.partitions.filter((p) => Number(p.offset) >= 0) ?? [];
    if ((await offsetsOf(options.group)).length > 0) return;
    const legacy = await offsetsOf(options.legacyGroup);
    if (legacy.length === 0) return;
    await admin
      .setOffsets({ groupId: options.group, topic: TOPICS.accessLog, partitions: legacy.map(({ partition, offset }) => ({ partition, offset })) })
      .then(() => logger.log(`${options.group} takes over ${TOPICS.accessLog} where ${options.legacyGroup} stopped`))
      .catch((error: Error) => logger.warn(`${options.group} could not take over the offsets of ${options.legacyGroup}: ${error.message}`));
  } finally {
    await admin.disconnect();
  }
}
