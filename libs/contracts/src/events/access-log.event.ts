import { z } from 'zod';
import { TOPIC_SPECS, TOPICS } from '../topics';

export const accessOutcomeSchema = z.enum([
  'allowed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'retired',
  'rate_limited',
  'unavailable',
  'upstream_error',
]);

/** One request seen by the gateway, as every access-log contract carries it. */
export const accessLogEntrySchema = z.object({
  requestId: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  method: z.string().min(1),
  path: z.string(),
  status: z.number().int(),
  outcome: accessOutcomeSchema,
  latencyMs: z.number().nonnegative(),
  apiId: z.uuid().nullable(),
  route: z.string().nullable(),
  keyId: z.uuid().nullable(),
  principalId: z.uuid().nullable(),
  grantId: z.uuid().nullable(),
});

/** `gateway.access-log.v1`: one request per message (topic key: key id, or request id when no key matched). */
export const accessLogSchema = accessLogEntrySchema.extend({ gatewayId: z.string().min(1) });

/**
 * The most requests one `gateway.access-log.v2` message carries. A producer bounds its messages by
 * size as well: a thousand records of short paths are about 450 kB of JSON, and the broker refuses a
 * partition's batch above 1 MB (the gateway closes a message at 256 KiB, about 440 such records).
 */
export const ACCESS_LOG_BATCH_MAX_RECORDS = 1000;

/**
 * `gateway.access-log.v2`: the requests one gateway answered, many per message. Each message goes to
 * the partition `accessLogPartition(accessLogKey(record))` names for all its records, so one key's
 * requests share a partition as they did under v1's key, and a consumer never counts one key in two
 * partitions at once.
 */
export const accessLogBatchSchema = z.object({
  gatewayId: z.string().min(1),
  records: z.array(accessLogEntrySchema).min(1).max(ACCESS_LOG_BATCH_MAX_RECORDS),
});

export type AccessLogEntryRecord = z.infer<typeof accessLogEntrySchema>;
export type AccessLogRecord = z.infer<typeof accessLogSchema>;
export type AccessLogBatch = z.infer<typeof accessLogBatchSchema>;
export type AccessOutcome = z.infer<typeof accessOutcomeSchema>;

/** The records of a v2 message as v1 records, the shape consumers count. */
export function accessLogRecordsOf(batch: AccessLogBatch): AccessLogRecord[] {
  return batch.records.map((record) => ({ ...record, gatewayId: batch.gatewayId }));
}

/**
 * The key an access-log record is produced under: its API key id, or its request id when no key
 * matched. v1 messages are keyed by it, and v2 messages go to its partition (`accessLogPartition`).
 */
export function accessLogKey(record: { keyId: string | null; requestId: string }): string {
  return record.keyId ?? record.requestId;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The `gateway.access-log.v2` partition of a record's key (its key id, or request id when no key
 * matched): FNV-1a over the key's UTF-16 code units, modulo the topic's declared partitions. It is
 * part of the contract, not of a Kafka client, so every producer groups the same way; a few lines
 * of arithmetic rather than a client library's internal murmur2.
 */
export function accessLogPartition(key: string, partitions: number = TOPIC_SPECS[TOPICS.accessLogBatches].partitions): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), FNV_PRIME);
  return (hash >>> 0) % partitions;
}

/**
 * Records grouped as a `gateway.access-log.v2` producer sends them: by the partition of their key, in
 * order, at most `maxRecords` to a message. For producers that hold their records already; the
 * gateway, which cannot wait for all of them, groups as they come (and bounds messages by size too).
 */
export function groupAccessLogRecords<R extends { keyId: string | null; requestId: string }>(
  records: readonly R[],
  maxRecords: number = ACCESS_LOG_BATCH_MAX_RECORDS,
): Array<{ partition: number; records: R[] }> {
  const open = new Map<number, R[]>();
  const groups: Array<{ partition: number; records: R[] }> = [];
  for (const record of records) {
    const partition = accessLogPartition(accessLogKey(record));
    let group = open.get(partition);
    if (group === undefined || group.length >= maxRecords) {
      group = [];
      open.set(partition, group);
      groups.push({ partition, records: group });
    }
    group.push(record);
  }
  return groups;
}
