import { randomUUID } from 'node:crypto';
import { ACCESS_LOG_BATCH_MAX_RECORDS, accessLogBatchSchema, accessLogPartition, accessLogRecordsOf, groupAccessLogRecords, TOPIC_SPECS, TOPICS } from '../index';

describe('gateway.access-log.v2', () => {
  it('names one partition per key, the same every time, and spreads keys over all of them', () => {
    const keys = Array.from({ length: 300 }, () => randomUUID());
    const partitions = keys.map((key) => accessLogPartition(key));
    expect(keys.map((key) => accessLogPartition(key))).toEqual(partitions);
    const count = TOPIC_SPECS[TOPICS.accessLogBatches].partitions;
    for (const partition of partitions) expect(partition >= 0 && partition < count && Number.isInteger(partition)).toBe(true);
    for (let partition = 0; partition < count; partition++) expect(partitions.filter((p) => p === partition).length).toBeGreaterThan(300 / count / 2);
    // FNV-1a is fixed by the contract: a producer in another language must reach the same partition.
    expect([accessLogPartition('a'), accessLogPartition('key-1'), accessLogPartition('00000000-0000-0000-0000-000000000000')]).toEqual([
      0xe40c292c % count,
      fnv('key-1') % count,
      fnv('00000000-0000-0000-0000-000000000000') % count,
    ]);
  });

  it('groups records by their key\'s partition, in order, at most so many to a message', () => {
    const keys = Array.from({ length: 7 }, () => randomUUID());
    const records = Array.from({ length: 50 }, (_, i) => ({ requestId: `r-${i}`, keyId: i % 10 === 9 ? null : keys[i % keys.length] }));
    const groups = groupAccessLogRecords(records, 4);
    expect(groups.flatMap((g) => g.records).sort((a, b) => Number(a.requestId.slice(2)) - Number(b.requestId.slice(2)))).toEqual(records);
    for (const { partition, records: grouped } of groups) {
      expect(grouped.length).toBeGreaterThan(0);
      expect(grouped.length).toBeLessThanOrEqual(4);
      for (const record of grouped) expect(accessLogPartition(record.keyId ?? record.requestId)).toBe(partition);
    }
    for (let partition = 0; partition < TOPIC_SPECS[TOPICS.accessLogBatches].partitions; partition++) {
      const inPartition = groups.filter((g) => g.partition === partition).flatMap((g) => g.records);
      expect(inPartition).toEqual(records.filter((r) => accessLogPartition(r.keyId ?? r.requestId) === partition));
      // Only a partition's last message may be short of the maximum.
      expect(groups.filter((g) => g.partition === partition).slice(0, -1).every((g) => g.records.length === 4)).toBe(true);
    }
  });

  it('carries up to a thousand records in one message, and refuses one more or none', () => {
    const records = Array.from({ length: 1001 }, (_, i) => ({ ...ENTRY, requestId: `r-${i}` }));
    expect(ACCESS_LOG_BATCH_MAX_RECORDS).toBe(1000);
    expect(accessLogBatchSchema.safeParse({ gatewayId: 'gw', records: records.slice(0, 1000) }).success).toBe(true);
    expect(accessLogBatchSchema.safeParse({ gatewayId: 'gw', records }).success).toBe(false);
    expect(accessLogBatchSchema.safeParse({ gatewayId: 'gw', records: [] }).success).toBe(false);
  });

  it('gives consumers v1-shaped records, each naming the gateway', () => {
    const entry = ENTRY;
    expect(accessLogRecordsOf({ gatewayId: 'gw', records: [entry, { ...entry, requestId: 'r-2' }] })).toEqual([
      { ...entry, gatewayId: 'gw' },
      { ...entry, requestId: 'r-2', gatewayId: 'gw' },
    ]);
  });
});

const ENTRY = {
  requestId: 'r-0',
  at: '2030-01-01T00:00:00.000Z',
  method: 'GET',
  path: '/x',
  status: 200,
  outcome: 'allowed' as const,
  latencyMs: 1,
  apiId: null,
  route: null,
  keyId: null,
  principalId: null,
  grantId: null,
};

/** FNV-1a 32-bit over UTF-16 code units, written out independently with BigInt. */
function fnv(text: string): number {
  let hash = 0x811c9dc5n;
  for (let i = 0; i < text.length; i++) hash = ((hash ^ BigInt(text.charCodeAt(i))) * 0x01000193n) & 0xffffffffn;
  return Number(hash);
}
