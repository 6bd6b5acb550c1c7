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

/** A column naming one of the message's `strings` per record, by index; -1 for none (null). */
const stringRefColumn = z.array(z.number().int().min(-1)).max(ACCESS_LOG_BATCH_MAX_RECORDS);

/**
 * `gateway.access-log.v3`: what v2 carries, in columns, each value a record's, in the records' order;
 * every column is as long as `requestId`. Methods, outcomes, ids and routes repeat from record to
 * record, so each is said once in `strings` and referred to by index; times are milliseconds after
 * `since`. A busy gateway's record takes about 90 bytes instead of v2's 390, and the producer's JSON
 * work shrinks with it. Partitions and keys are v2's (`accessLogPartition(accessLogKey(record))`).
 * A column's length, an index and what it points at cannot be said in JSON Schema, so
 * `accessLogRecordsOfColumns` checks them, record by record.
 */
export const accessLogColumnsSchema = z.object({
  gatewayId: z.string().min(1),
  /** Epoch milliseconds that `at` counts from. */
  since: z.number().int().nonnegative(),
  strings: z.array(z.string()),
  requestId: z.array(z.string().min(1)).min(1).max(ACCESS_LOG_BATCH_MAX_RECORDS),
  /** Milliseconds after `since` when each request arrived. */
  at: z.array(z.number().int().nonnegative()).max(ACCESS_LOG_BATCH_MAX_RECORDS),
  method: stringRefColumn,
  path: z.array(z.string()).max(ACCESS_LOG_BATCH_MAX_RECORDS),
  status: z.array(z.number().int()).max(ACCESS_LOG_BATCH_MAX_RECORDS),
  outcome: stringRefColumn,
  latencyMs: z.array(z.number().nonnegative()).max(ACCESS_LOG_BATCH_MAX_RECORDS),
  apiId: stringRefColumn,
  route: stringRefColumn,
  keyId: stringRefColumn,
  principalId: stringRefColumn,
  grantId: stringRefColumn,
});

export type AccessLogEntryRecord = z.infer<typeof accessLogEntrySchema>;
export type AccessLogRecord = z.infer<typeof accessLogSchema>;
export type AccessLogBatch = z.infer<typeof accessLogBatchSchema>;
export type AccessOutcome = z.infer<typeof accessOutcomeSchema>;
export type AccessLogColumns = z.infer<typeof accessLogColumnsSchema>;

/** One request as a producer holds it before formatting: `at` as epoch milliseconds. */
export type AccessLogCall = Omit<AccessLogEntryRecord, 'at'> & { atMs: number };

/** The records of a v2 message as v1 records, the shape consumers count. */
export function accessLogRecordsOf(batch: AccessLogBatch): AccessLogRecord[] {
  return batch.records.map((record) => ({ ...record, gatewayId: batch.gatewayId }));
}

/**
 * The key an access-log record is produced under: its API key id, or its request id when no key
 * matched. v1 messages are keyed by it, and v2 and v3 messages go to its partition (`accessLogPartition`).
 */
export function accessLogKey(record: { keyId: string | null; requestId: string }): string {
  return record.keyId ?? record.requestId;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The `gateway.access-log.v3` (and v2: both declare as many partitions) partition of a record's key
 * (its key id, or request id when no key matched): FNV-1a over the key's UTF-16 code units, modulo
 * the topic's declared partitions. It is part of the contract, not of a Kafka client, so every
 * producer groups the same way; a few lines of arithmetic rather than a client library's internal
 * murmur2.
 */
export function accessLogPartition(key: string, partitions: number = TOPIC_SPECS[TOPICS.accessLogColumns].partitions): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), FNV_PRIME);
  return (hash >>> 0) % partitions;
}

/**
 * Records grouped as a `gateway.access-log.v2` or v3 producer sends them: by the partition of their key, in
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

/** The columns of a v3 message that name one of its `strings`, and what each must be. */
const STRING_COLUMNS = {
  method: accessLogEntrySchema.shape.method,
  outcome: accessOutcomeSchema,
  apiId: accessLogEntrySchema.shape.apiId,
  route: accessLogEntrySchema.shape.route,
  keyId: accessLogEntrySchema.shape.keyId,
  principalId: accessLogEntrySchema.shape.principalId,
  grantId: accessLogEntrySchema.shape.grantId,
} as const;
type StringColumn = keyof typeof STRING_COLUMNS;
const STRING_COLUMN_NAMES = Object.keys(STRING_COLUMNS) as StringColumn[];
const VALUE_COLUMNS = ['at', 'path', 'status', 'latencyMs'] as const;
/** The latest time a JavaScript `Date` holds (the year 275760). */
const MAX_EPOCH_MS = 8.64e15;

/**
 * Bounds of a v3 message's JSON, in bytes of UTF-8. A character of a string takes at most 3 bytes,
 * or 6 as a `\u00XX` escape of a control character; those cannot reach the request id and path (the
 * HTTP parser refuses them in a request line and a header), but might a configured route, so the
 * strings of `strings` are counted at 6. A number takes at most 24 characters, an index at most 7.
 */
const MESSAGE_BYTES = 256;
const NUMBER_BYTES = 25;
const RECORD_BYTES = 3 + 3 + 3 * NUMBER_BYTES + 7 * 8;
const stringBytes = (value: string | null) => (value === null ? 0 : 6 * value.length + 3);

/**
 * The most bytes a call can add to a v3 message: its own values, and each of its strings as if the
 * message did not hold it yet. A producer checks it before adding, to close a message in time.
 */
export function accessLogCallBytesAtMost(call: AccessLogCall): number {
  return (
    RECORD_BYTES +
    3 * (call.requestId.length + call.path.length) +
    stringBytes(call.method) +
    stringBytes(call.outcome) +
    stringBytes(call.apiId) +
    stringBytes(call.route) +
    stringBytes(call.keyId) +
    stringBytes(call.principalId) +
    stringBytes(call.grantId)
  );
}

/**
 * Numbers strings in the order they are first named, -1 standing for null: what a v3 message's
 * `strings` and its string columns say, and how the gateway hands repeated strings to its log worker.
 */
export class StringNumbering {
  private readonly indexes = new Map<string, number>();
  private readonly values: string[] = [];

  /** Every numbered string, at its number. */
  get strings(): readonly string[] {
    return this.values;
  }

  /** `value`'s number, numbering it if new; -1 for null. */
  ref(value: string | null): number {
    if (value === null) return -1;
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.values.push(value) - 1;
      this.indexes.set(value, index);
    }
    return index;
  }

  clear(): void {
    this.indexes.clear();
    this.values.length = 0;
  }
}

/**
 * Builds one `gateway.access-log.v3` message a call at a time, as a producer groups them: each
 * method, outcome, id and route goes into `strings` the first time a call names it.
 */
export class AccessLogColumnsBuilder {
  private readonly columns: Omit<AccessLogColumns, 'gatewayId' | 'since' | 'strings'> = {
    requestId: [],
    at: [],
    method: [],
    path: [],
    status: [],
    outcome: [],
    latencyMs: [],
    apiId: [],
    route: [],
    keyId: [],
    principalId: [],
    grantId: [],
  };
  private readonly numbering = new StringNumbering();
  private since = 0;
  private bytes: number;

  constructor(private readonly gatewayId: string) {
    this.bytes = MESSAGE_BYTES + stringBytes(gatewayId);
  }

  /** An upper bound of the size of `build()`'s JSON, in bytes of UTF-8. */
  get bytesAtMost(): number {
    return this.bytes;
  }

  /** Calls added so far. */
  get length(): number {
    return this.columns.requestId.length;
  }

  add(call: AccessLogCall): void {
    const c = this.columns;
    // Calls arrive about in order, but not exactly: one that started earlier may finish later.
    if (c.requestId.length === 0) this.since = call.atMs;
    else if (call.atMs < this.since) this.rebase(call.atMs);
    this.bytes += RECORD_BYTES + 3 * (call.requestId.length + call.path.length);
    c.requestId.push(call.requestId);
    c.at.push(call.atMs - this.since);
    c.method.push(this.ref(call.method));
    c.path.push(call.path);
    c.status.push(call.status);
    c.outcome.push(this.ref(call.outcome));
    c.latencyMs.push(call.latencyMs);
    c.apiId.push(this.ref(call.apiId));
    c.route.push(this.ref(call.route));
    c.keyId.push(this.ref(call.keyId));
    c.principalId.push(this.ref(call.principalId));
    c.grantId.push(this.ref(call.grantId));
  }

  build(): AccessLogColumns {
    return { gatewayId: this.gatewayId, since: this.since, strings: [...this.numbering.strings], ...this.columns };
  }

  private ref(value: string | null): number {
    const named = this.numbering.strings.length;
    const index = this.numbering.ref(value);
    if (this.numbering.strings.length > named) this.bytes += stringBytes(value);
    return index;
  }

  private rebase(since: number): void {
    const shift = this.since - since;
    const at = this.columns.at;
    for (let i = 0; i < at.length; i++) at[i] += shift;
    this.since = since;
  }
}

/** A many-record message's records as consumers count them, each with its position in the message, and those that cannot be read. */
export interface AccessLogRecordsRead {
  records: Array<{ position: number; record: AccessLogRecord }>;
  rejected: Array<{ position: number; reason: string }>;
}

/** A v3 message's calls, in order, each as a `gateway.access-log.v3` producer gave it. */
export function accessLogColumnsOf(gatewayId: string, calls: readonly AccessLogCall[]): AccessLogColumns {
  const builder = new AccessLogColumnsBuilder(gatewayId);
  for (const call of calls) builder.add(call);
  return builder.build();
}

/**
 * The records of a v3 message as the v1 records consumers count, with those that cannot be read
 * apart, each by its position and why: an index outside `strings`, or one pointing at a string that
 * is not a valid value of its column (an outcome, a uuid). A message whose columns differ in length
 * has no readable record and is refused whole (an `Error`).
 */
export function accessLogRecordsOfColumns(message: AccessLogColumns): AccessLogRecordsRead {
  const length = message.requestId.length;
  const uneven = [...VALUE_COLUMNS, ...STRING_COLUMN_NAMES].filter((column) => message[column].length !== length);
  if (uneven.length > 0) throw new Error(`columns ${uneven.join(', ')} do not have one value for each of the ${length} records`);
  const strings = message.strings;
  // Per column: whether it may be null, and per string it names, why that string is no valid value of it (null: it is), each checked once.
  const nullable = STRING_COLUMN_NAMES.map((column) => STRING_COLUMNS[column].safeParse(null).success);
  const checked = STRING_COLUMN_NAMES.map(() => new Array<string | null | undefined>(strings.length));
  const problemOf = (c: number, index: number): string | null => {
    const column = STRING_COLUMN_NAMES[c];
    if (index === -1) return nullable[c] ? null : `${column} is missing`;
    if (index >= strings.length) return `${column} names string ${index}, beyond the message's ${strings.length}`;
    let problem = checked[c][index];
    if (problem === undefined) {
      const parsed = STRING_COLUMNS[column].safeParse(strings[index]);
      problem = parsed.success ? null : `${column} ${JSON.stringify(strings[index])} is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
      checked[c][index] = problem;
    }
    return problem;
  };
  const records: Array<{ position: number; record: AccessLogRecord }> = [];
  const rejected: Array<{ position: number; reason: string }> = [];
  for (let position = 0; position < length; position++) {
    const values = {} as Record<StringColumn, string | null>;
    const reasons: string[] = [];
    for (let c = 0; c < STRING_COLUMN_NAMES.length; c++) {
      const column = STRING_COLUMN_NAMES[c];
      const index = message[column][position];
      const problem = problemOf(c, index);
      if (problem !== null) reasons.push(problem);
      else values[column] = index === -1 ? null : strings[index];
    }
    const atMs = message.since + message.at[position];
    if (atMs > MAX_EPOCH_MS) reasons.push(`at ${atMs} is later than a timestamp can say`);
    if (reasons.length > 0) {
      rejected.push({ position, reason: reasons.join(', ') });
      continue;
    }
    records.push({
      position,
      record: {
        requestId: message.requestId[position],
        at: new Date(atMs).toISOString(),
        method: values.method!,
        path: message.path[position],
        status: message.status[position],
        outcome: values.outcome as AccessOutcome,
        latencyMs: message.latencyMs[position],
        apiId: values.apiId,
        route: values.route,
        keyId: values.keyId,
        principalId: values.principalId,
        grantId: values.grantId,
        gatewayId: message.gatewayId,
      },
    });
  }
  return { records, rejected };
}
