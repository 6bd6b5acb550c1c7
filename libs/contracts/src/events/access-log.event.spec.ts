import { randomUUID } from 'node:crypto';
import {
  ACCESS_LOG_BATCH_MAX_RECORDS,
  AccessLogCall,
  accessLogCallBytesAtMost,
  AccessLogColumnsBuilder,
  accessLogBatchSchema,
  accessLogColumnsOf,
  accessLogColumnsSchema,
  accessLogPartition,
  accessLogRecordsOf,
  accessLogRecordsOfColumns,
  groupAccessLogRecords,
  TOPIC_SPECS,
  TOPICS,
} from '../index';

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

describe('gateway.access-log.v3', () => {
  const [apiId, keyId, otherKeyId, principalId, grantId] = Array.from({ length: 5 }, () => randomUUID());
  const call = (i: number, overrides: Partial<AccessLogCall> = {}): AccessLogCall => ({
    requestId: `r-${i}`,
    atMs: Date.UTC(2030, 0, 1) + i * 7,
    method: i % 3 === 0 ? 'POST' : 'GET',
    path: `/orders/${i}`,
    status: 200,
    outcome: 'allowed',
    latencyMs: i / 4,
    apiId,
    route: 'GET /orders/:id',
    keyId: i % 2 === 0 ? keyId : otherKeyId,
    principalId,
    grantId,
    ...overrides,
  });
  const entryOf = ({ atMs, ...rest }: AccessLogCall) => ({ ...rest, at: new Date(atMs).toISOString() });
  const recordOf = (c: AccessLogCall, gatewayId: string) => ({ ...entryOf(c), gatewayId });

  it('has as many partitions as v2, so a key has the same partition on both', () => {
    expect(TOPIC_SPECS[TOPICS.accessLogColumns].partitions).toBe(TOPIC_SPECS[TOPICS.accessLogBatches].partitions);
  });

  it('gives back every call as the v1 record consumers count, in order, through the JSON a consumer reads', () => {
    const calls = [
      ...Array.from({ length: 40 }, (_, i) => call(i)),
      // Answered later, though it arrived before the first: the message's time base moves back for it.
      call(40, { atMs: Date.UTC(2029, 11, 31, 23, 59, 59, 999) }),
      call(41, { keyId: null, principalId: null, grantId: null, apiId: null, route: null, outcome: 'unauthenticated', status: 401 }),
    ];
    const message = accessLogColumnsSchema.parse(JSON.parse(JSON.stringify(accessLogColumnsOf('gw-1', calls))));
    expect(accessLogRecordsOfColumns(message)).toEqual({ records: calls.map((c, position) => ({ position, record: recordOf(c, 'gw-1') })), rejected: [] });
    // Each method, outcome, id and route is said once, whatever the number of calls naming it.
    expect(message.strings).toHaveLength(new Set(calls.flatMap((c) => [c.method, c.outcome, c.apiId, c.route, c.keyId, c.principalId, c.grantId]).filter((s) => s !== null)).size);
    expect(message.since).toBe(Date.UTC(2029, 11, 31, 23, 59, 59, 999));
    expect(Math.min(...message.at)).toBe(0);
  });

  it('takes a quarter of the bytes v2 takes for the same calls', () => {
    const calls = Array.from({ length: 400 }, (_, i) => call(i, { requestId: randomUUID() }));
    const v2 = JSON.stringify({ gatewayId: 'gw-1', records: calls.map(entryOf) });
    const v3 = JSON.stringify(accessLogColumnsOf('gw-1', calls));
    expect(v3.length).toBeLessThan(v2.length / 3);
  });

  it('bounds its JSON from above, each call by no more than a producer is told before adding it', () => {
    const builder = new AccessLogColumnsBuilder('gw-é');
    const texts = ['/a', '/€uro/😀', `/${'é'.repeat(500)}`, 'GET /tab\there', 'route \u0001 with a control character'];
    for (let i = 0; i < 300; i++) {
      const next = call(i, {
        requestId: i % 7 === 0 ? `req-${'ü'.repeat(i % 50)}` : randomUUID(),
        path: texts[i % texts.length],
        route: i % 11 === 0 ? texts[(i / 11) % texts.length] : 'GET /orders/:id',
        keyId: i % 13 === 0 ? randomUUID() : keyId,
        latencyMs: i % 2 === 0 ? Math.PI * 1e-300 : -0.1 + i,
        status: i % 3 === 0 ? Number.MAX_SAFE_INTEGER : 200,
        atMs: Date.UTC(2030, 0, 1) + (i % 5 === 0 ? -i * 1e9 : i),
      });
      const before = builder.bytesAtMost;
      builder.add(next);
      expect(builder.bytesAtMost - before).toBeLessThanOrEqual(accessLogCallBytesAtMost(next));
      expect(Buffer.byteLength(JSON.stringify(builder.build()))).toBeLessThanOrEqual(builder.bytesAtMost);
    }
    // Not so loose that a message of short calls closes far below its size.
    const short = accessLogColumnsOf('gw', Array.from({ length: 400 }, (_, i) => call(i, { requestId: randomUUID() })));
    const builderOfShort = new AccessLogColumnsBuilder('gw');
    for (let i = 0; i < 400; i++) builderOfShort.add(call(i, { requestId: short.requestId[i] }));
    expect(builderOfShort.bytesAtMost).toBeLessThan(4 * Buffer.byteLength(JSON.stringify(short)));
  });

  it('refuses a record naming a string that is not there or not a valid value of its column, and reads the others', () => {
    const message = accessLogColumnsOf('gw-1', [call(0), call(1), call(2), call(3), call(4)]);
    const [notUuid, notOutcome] = [message.strings.push('not-a-uuid') - 1, message.strings.push('exploded') - 1];
    message.keyId[1] = notUuid;
    message.grantId[2] = notUuid;
    message.outcome[3] = notOutcome;
    message.method[3] = -1;
    message.apiId[4] = message.strings.length;
    const { records, rejected } = accessLogRecordsOfColumns(message);
    expect(records.map((r) => r.position)).toEqual([0]);
    expect(rejected).toEqual([
      { position: 1, reason: expect.stringMatching(/^keyId "not-a-uuid" is not valid: /) },
      { position: 2, reason: expect.stringMatching(/^grantId "not-a-uuid" is not valid: /) },
      { position: 3, reason: expect.stringMatching(/^method is missing, outcome "exploded" is not valid: /) },
      { position: 4, reason: `apiId names string ${message.strings.length}, beyond the message's ${message.strings.length}` },
    ]);
  });

  it('refuses a message whose columns are not all one value per record, or whose time is beyond any date', () => {
    const message = accessLogColumnsOf('gw-1', [call(0), call(1)]);
    expect(() => accessLogRecordsOfColumns({ ...message, status: [200], grantId: [] })).toThrow(/columns status, grantId do not have one value for each of the 2 records/);
    const late = accessLogRecordsOfColumns({ ...message, since: 8.64e15 });
    expect(late.records.map((r) => r.position)).toEqual([0]);
    expect(late.rejected).toEqual([{ position: 1, reason: `at ${8.64e15 + 7} is later than a timestamp can say` }]);
  });

  it('carries up to a thousand records in one message, and refuses one more or none', () => {
    const message = accessLogColumnsOf('gw', Array.from({ length: 1001 }, (_, i) => call(i)));
    const first = (n: number) => Object.fromEntries(Object.entries(message).map(([k, v]) => [k, Array.isArray(v) && k !== 'strings' ? v.slice(0, n) : v]));
    expect(accessLogColumnsSchema.safeParse(first(1000)).success).toBe(true);
    expect(accessLogColumnsSchema.safeParse(message).success).toBe(false);
    expect(accessLogColumnsSchema.safeParse(first(0)).success).toBe(false);
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
