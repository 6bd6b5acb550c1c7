import { randomUUID } from 'node:crypto';
import { Admin, Kafka } from 'kafkajs';
import { TOPICS } from '@attest/contracts';
import { ensureTopics } from '@attest/messaging';
import { testKafka } from '@attest/testing';
import { adoptLegacyAccessLogOffsets } from './access-log-group.migration';

jest.setTimeout(60_000);

describe('access-log group: taking over from the group that consumed it one event at a time', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka();
    await ensureTopics(kafka, [TOPICS.accessLog]);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  const offsetsOf = async (groupId: string) =>
    (await admin.fetchOffsets({ groupId, topics: [TOPICS.accessLog] }))[0].partitions
      .map(({ partition, offset }) => ({ partition, offset }))
      .sort((a, b) => a.partition - b.partition);
  const setAll = async (groupId: string, offset: (high: bigint) => bigint) => {
    const ends = await admin.fetchTopicOffsets(TOPICS.accessLog);
    await admin.setOffsets({
      groupId,
      topic: TOPICS.accessLog,
      partitions: ends.map((p) => ({ partition: p.partition, offset: offset(BigInt(p.high)).toString() })),
    });
  };

  it('starts a new group where the old one stopped, and leaves a group that has offsets alone', async () => {
    const legacyGroup = `legacy-${randomUUID()}`;
    const group = `batch-${randomUUID()}`;
    await setAll(legacyGroup, (high) => high);
    const legacy = await offsetsOf(legacyGroup);

    await adoptLegacyAccessLogOffsets({ kafka, legacyGroup, group });
    expect(await offsetsOf(group)).toEqual(legacy);

    await setAll(legacyGroup, () => 0n);
    await adoptLegacyAccessLogOffsets({ kafka, legacyGroup, group });
    expect(await offsetsOf(group)).toEqual(legacy);
  });

  it('leaves a new group to its start setting when there is no old group', async () => {
    const group = `batch-${randomUUID()}`;
    await adoptLegacyAccessLogOffsets({ kafka, legacyGroup: `legacy-${randomUUID()}`, group });
    expect((await offsetsOf(group)).every((p) => p.offset === '-1')).toBe(true);
  });
});
