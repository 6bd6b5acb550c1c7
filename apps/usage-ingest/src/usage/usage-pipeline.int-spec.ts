import { randomUUID } from 'node:crypto';
import { Admin, Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AccessLogColumns, accessLogColumnsOf, AccessLogRecord, accessLogPartition, deadLetterTopic, TOPICS, UsageLastUsed, usageLastUsedKey, UsageSignal } from '@attest/contracts';
import { buildEnvelope, parseEvent } from '@attest/messaging';
import { TEST_DATABASE_URL, TopicProbe, waitFor } from '@attest/testing';
import {
  accessLogCallOf,
  accessLogRecord,
  announceGrants,
  grantState,
  produceAccessLogBatches,
  produceAccessLogs,
  startUsageIngest,
  UsageIngestHarness,
} from '../testing/usage-ingest.harness';
import { UsageConsumer } from './usage.consumer';

jest.setTimeout(90_000);

describe('usage-ingest: batches of access logs into counts, last-used and first-use events', () => {
  let harness: UsageIngestHarness;
  let dataSource: DataSource;
  let producer: Producer;
  let admin: Admin;
  let probe: TopicProbe;

  beforeAll(async () => {
    harness = await startUsageIngest({ databaseUrl: TEST_DATABASE_URL, suite: 'usage_pipeline' });
    dataSource = harness.app.get(DataSource);
    producer = harness.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    admin = harness.kafka.admin();
    await admin.connect();
    probe = await new TopicProbe(harness.kafka, [
      deadLetterTopic(TOPICS.accessLog),
      deadLetterTopic(TOPICS.accessLogBatches),
      deadLetterTopic(TOPICS.accessLogColumns),
      TOPICS.usageLastUsed,
      TOPICS.usageSignals,
    ]).start();
  });

  afterAll(async () => {
    await probe?.stop();
    await admin?.disconnect();
    await producer?.disconnect();
    await harness?.close();
  });

  const grantTotal = async (grantId: string): Promise<number> =>
    (await dataSource.query(`SELECT requests::int AS n FROM usage_ingest.grant_usage WHERE grant_id = $1`, [grantId]))[0]?.n ?? 0;
  const keyApiTotal = async (keyId: string): Promise<number> =>
    (await dataSource.query(`SELECT coalesce(sum(requests), 0)::int AS n FROM usage_ingest.key_api_usage WHERE key_id = $1`, [keyId]))[0].n;
  const grantTotalReaching = (grantId: string, requests: number) =>
    waitFor(async () => ((await grantTotal(grantId)) >= requests ? grantTotal(grantId) : false), {
      timeoutMs: 30_000,
      description: `grant ${grantId} at ${requests} requests`,
    });

  /**
   * Waits until everything committed so far is on Kafka and seen by the probe: the outbox is drained,
   * then the probe has reached the end offsets of that moment. Only then may a test count what was
   * (not) published.
   */
  async function settled(): Promise<void> {
    await waitFor(async () => (await dataSource.query(`SELECT count(*)::int AS n FROM usage_ingest.outbox`))[0].n === 0, {
      description: 'outbox drained',
    });
    const published: Array<{ event_id: string }> = await dataSource.query(`SELECT event_id FROM usage_ingest.outbox_published`);
    published.forEach((row) => ownEventIds.add(row.event_id));
    for (const topic of [TOPICS.usageLastUsed, TOPICS.usageSignals]) {
      const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => BigInt(p.high) > BigInt(p.low));
      await waitFor(
        () => ends.every((end) => probe.messages.some((m) => m.topic === topic && m.partition === end.partition && BigInt(m.offset) >= BigInt(end.high) - 1n)),
        { description: `probe caught up on ${topic}` },
      );
    }
  }
  /**
   * Events this service published, by the ids its outbox relay recorded: any other usage-ingest
   * consuming the shared access log (another suite, a running cluster) publishes about the same keys.
   */
  const ownEventIds = new Set<string>();
  const ours = (topic: string, key: string) =>
    probe.where((m) => m.topic === topic && m.key === key && ownEventIds.has((m.value as { id: string }).id));
  const lastUsedOf = (key: string): UsageLastUsed[] => ours(TOPICS.usageLastUsed, key).map((m) => (m.value as { data: UsageLastUsed }).data);
  const signalsOf = (grantId: string): UsageSignal[] => ours(TOPICS.usageSignals, grantId).map((m) => (m.value as { data: UsageSignal }).data);

  /** What is stored per (key, API) for the keys, in a stable order. */
  const keyApiRows = async (keyIds: string[]) =>
    dataSource.query(
      `SELECT key_id AS "keyId", api_id AS "apiId", principal_id AS "principalId", grant_id AS "grantId", requests::int AS requests,
              to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastUsedAt"
       FROM usage_ingest.key_api_usage WHERE key_id = ANY($1::uuid[]) ORDER BY key_id, api_id`,
      [keyIds],
    );
  /** What the records of allowed calls should leave per (key, API): their count, and who made the latest call, when. */
  const expectedKeyApiRows = (records: AccessLogRecord[]) => {
    const rows = new Map<string, { keyId: string; apiId: string; principalId: string; grantId: string | null; requests: number; lastUsedAt: string }>();
    for (const r of records) {
      const id = `${r.keyId}:${r.apiId}`;
      const row = rows.get(id) ?? { keyId: r.keyId!, apiId: r.apiId!, principalId: r.principalId!, grantId: r.grantId, requests: 0, lastUsedAt: r.at };
      row.requests++;
      if (r.at >= row.lastUsedAt) Object.assign(row, { lastUsedAt: r.at, principalId: r.principalId!, grantId: r.grantId });
      rows.set(id, row);
    }
    return [...rows.values()].sort((a, b) => (a.keyId === b.keyId ? a.apiId.localeCompare(b.apiId) : a.keyId.localeCompare(b.keyId)));
  };
  const grantLastUsed = async (grantId: string): Promise<string | null> =>
    (await dataSource.query(`SELECT last_used_at FROM usage_ingest.grant_usage WHERE grant_id = $1`, [grantId]))[0]?.last_used_at?.toISOString() ?? null;
  const latestAt = (records: AccessLogRecord[]) => records.map((r) => r.at).sort().at(-1);
  /** A gateway id of the test's own: v2 messages (and so their dead letters) are keyed by it. */
  const gatewayOfOwn = () => `gw-int-spec-${randomUUID().slice(0, 8)}`;
  /** Waits until the probe has seen everything on the topic up to its end offsets of this moment. */
  async function probeCaughtUp(topic: string): Promise<void> {
    const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => BigInt(p.high) > BigInt(p.low));
    await waitFor(
      () => ends.every((end) => probe.messages.some((m) => m.topic === topic && m.partition === end.partition && BigInt(m.offset) >= BigInt(end.high) - 1n)),
      { description: `probe caught up on ${topic}` },
    );
  }

  /** 900 calls by two keys under three grants, over two days and two routes, and what they must add up to. */
  function largeBatch() {
    const grants = [grantState(), grantState(), grantState()];
    const keys = [randomUUID(), randomUUID()];
    const records = Array.from({ length: 900 }, (_, i) =>
      accessLogRecord(grants[i % 3], keys[i % 2], {
        at: new Date(Date.UTC(2026, 5, 1 + (i % 2), 12, 0, i % 60)).toISOString(),
        route: i % 5 === 0 ? 'GET /orders' : 'GET /orders/:id',
      }),
    );
    const counted = async () => {
      for (const grant of grants) expect(await grantTotalReaching(grant.grantId, 300)).toBe(300);
      expect(await keyApiTotal(keys[0])).toBe(450);
      expect(await keyApiTotal(keys[1])).toBe(450);
      const daily = await dataSource.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, route, sum(requests)::int AS requests FROM usage_ingest.usage_daily
         WHERE grant_id = ANY($1::uuid[]) GROUP BY day, route ORDER BY day, route`,
        [grants.map((g) => g.grantId)],
      );
      expect(daily).toEqual([
        { day: '2026-06-01', route: 'GET /orders', requests: 90 },
        { day: '2026-06-01', route: 'GET /orders/:id', requests: 360 },
        { day: '2026-06-02', route: 'GET /orders', requests: 90 },
        { day: '2026-06-02', route: 'GET /orders/:id', requests: 360 },
      ]);
    };
    return { grants, keys, records, counted };
  }

  it('counts every call of a large batch exactly once, per grant, key, route and day', async () => {
    const { records, counted } = largeBatch();
    await produceAccessLogs(producer, records);
    await counted();
  });

  it('does not count a batch again when Kafka redelivers it to a new process after the database committed it', async () => {
    const grant = grantState();
    const keyId = randomUUID();
    const [first] = await produceAccessLogs(
      producer,
      Array.from({ length: 40 }, () => accessLogRecord(grant, keyId, { at: '2026-07-01T10:00:00.000Z' })),
    );
    expect(await grantTotalReaching(grant.grantId, 40)).toBe(40);

    // As if the process died after its database commit but before Kafka learned the offsets: a new
    // process (nothing remembered in memory) finds the group's offset back at the batch's start.
    await harness.close();
    await admin.setOffsets({ groupId: harness.accessLogGroup, topic: TOPICS.accessLog, partitions: [{ partition: first.partition, offset: first.offset }] });
    // Behind the redelivered records on the same partition: once it is counted, they were consumed.
    await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: '2026-07-02T10:00:00.000Z' })]);
    harness = await startUsageIngest({ databaseUrl: TEST_DATABASE_URL, suite: 'usage_pipeline', after: harness });
    dataSource = harness.app.get(DataSource);

    expect(await grantTotalReaching(grant.grantId, 41)).toBe(41);
    expect(await keyApiTotal(keyId)).toBe(41);
    expect(harness.app.get(UsageConsumer).accessLog.skippedCount).toBeGreaterThanOrEqual(40);
    const [position] = await dataSource.query(
      `SELECT next_offset FROM usage_ingest.consumer_positions WHERE consumer = $1 AND topic = $2 AND partition = $3`,
      [harness.accessLogGroup, TOPICS.accessLog, first.partition],
    );
    // Past the marker (other suites may have appended behind it on the shared topic).
    expect(BigInt(position.next_offset)).toBeGreaterThanOrEqual(BigInt(first.offset) + 41n);
  });

  it('dead-letters invalid records with reason, key and offset, and counts the rest of their batch', async () => {
    const grant = grantState();
    const keyId = randomUUID();
    const landed = await produceAccessLogs(producer, [
      accessLogRecord(grant, keyId),
      { key: keyId, raw: '{"id": "not-an-envelope"}' },
      // Valid by the schema, but a grant without a route cannot be counted.
      accessLogRecord(grant, keyId, { route: null }),
      accessLogRecord(grant, keyId),
    ]);

    expect(await grantTotalReaching(grant.grantId, 2)).toBe(2);
    const letters = await waitFor(() => {
      // This service's letters only: any other consumer of the shared access log parks the same records.
      const found = probe.where(
        (m) => m.topic === deadLetterTopic(TOPICS.accessLog) && m.key === keyId && m.headers['x-dlq-consumer'] === harness.accessLogGroup,
      );
      return found.length === 2 ? found : undefined;
    }, { description: 'two dead letters' });
    const byOffset = new Map(letters.map((letter) => [letter.headers['x-dlq-offset'], letter.headers]));
    expect(byOffset.get(landed[1].offset)?.['x-dlq-reason']).toMatch(/invalid envelope/);
    expect(byOffset.get(landed[2].offset)?.['x-dlq-reason']).toMatch(/no route/);
    expect(letters.every((l) => l.headers['x-dlq-partition'] === String(landed[0].partition))).toBe(true);
    expect(await grantTotal(grant.grantId)).toBe(2);
  });

  describe('gateway.access-log.v2: many records per message, as gateways before v3 produced them', () => {
    it('counts records carried in batch messages exactly like v1 records: per grant, key, route and day, with last use', async () => {
      const { grants, keys, records, counted } = largeBatch();
      const messages = await produceAccessLogBatches(producer, records, { maxRecords: 200 });
      // Several full messages, each on the partition of all its records' keys.
      expect(messages.length).toBeGreaterThanOrEqual(5);
      expect(messages.every((m) => m.records.length <= 200 && m.records.every((r) => accessLogPartition(r.keyId!) === m.partition))).toBe(true);
      expect(messages.reduce((sum, m) => sum + m.records.length, 0)).toBe(900);

      await counted();
      expect(await keyApiRows(keys)).toEqual(expectedKeyApiRows(records));
      for (const grant of grants) expect(await grantLastUsed(grant.grantId)).toBe(latestAt(records.filter((r) => r.grantId === grant.grantId)));
    });

    it('does not count a message again when Kafka redelivers it to a new process after the database committed it', async () => {
      const grant = grantState();
      const keyId = randomUUID();
      // Four messages of ten records, one after the other on the key's partition.
      const sent = await produceAccessLogBatches(
        producer,
        Array.from({ length: 40 }, () => accessLogRecord(grant, keyId, { at: '2026-07-01T10:00:00.000Z' })),
        { maxRecords: 10 },
      );
      expect(sent).toHaveLength(4);
      const [first] = sent;
      expect(await grantTotalReaching(grant.grantId, 40)).toBe(40);

      // As if the process died after its database commit but before Kafka learned the offsets.
      await harness.close();
      await admin.setOffsets({
        groupId: harness.accessLogBatchesGroup,
        topic: TOPICS.accessLogBatches,
        partitions: [{ partition: first.partition, offset: first.offset }],
      });
      // Behind the redelivered messages on the same partition: once it is counted, they were consumed.
      const [marker] = await produceAccessLogBatches(producer, [accessLogRecord(grant, keyId, { at: '2026-07-02T10:00:00.000Z' })]);
      expect(marker.partition).toBe(first.partition);
      harness = await startUsageIngest({ databaseUrl: TEST_DATABASE_URL, suite: 'usage_pipeline', after: harness });
      dataSource = harness.app.get(DataSource);

      expect(await grantTotalReaching(grant.grantId, 41)).toBe(41);
      expect(await keyApiTotal(keyId)).toBe(41);
      expect(await grantLastUsed(grant.grantId)).toBe('2026-07-02T10:00:00.000Z');
      expect(harness.app.get(UsageConsumer).accessLogBatches.skippedCount).toBeGreaterThanOrEqual(4);
      const [position] = await dataSource.query(
        `SELECT next_offset FROM usage_ingest.consumer_positions WHERE consumer = $1 AND topic = $2 AND partition = $3`,
        [harness.accessLogBatchesGroup, TOPICS.accessLogBatches, first.partition],
      );
      expect(BigInt(position.next_offset)).toBeGreaterThan(BigInt(marker.offset));
    });

    it('dead-letters a message with invalid records once, naming each by its position, and counts its other records', async () => {
      const grant = grantState();
      const keyId = randomUUID();
      const [oneBad, twoBad] = [gatewayOfOwn(), gatewayOfOwn()];
      // Valid by the schema, but a grant without a route cannot be counted.
      const noRoute = (gatewayId: string) => accessLogRecord(grant, keyId, { route: null, gatewayId });
      const counted = (gatewayId: string) => accessLogRecord(grant, keyId, { gatewayId });
      const first = [counted(oneBad), counted(oneBad), noRoute(oneBad), counted(oneBad)];
      const second = [noRoute(twoBad), counted(twoBad), noRoute(twoBad)];
      const sent = await produceAccessLogBatches(producer, [...first, ...second]);
      expect(sent.map((m) => m.records)).toEqual([first, second]);

      // 3 + 1 records counted; the letters were published before that commit.
      expect(await grantTotalReaching(grant.grantId, 4)).toBe(4);
      await probeCaughtUp(deadLetterTopic(TOPICS.accessLogBatches));
      const lettersOf = (gatewayId: string) =>
        probe.where(
          (m) =>
            m.topic === deadLetterTopic(TOPICS.accessLogBatches) && m.key === gatewayId && m.headers['x-dlq-consumer'] === harness.accessLogBatchesGroup,
        );
      const [letter, ...moreOfFirst] = lettersOf(oneBad);
      expect(moreOfFirst).toEqual([]);
      expect(letter.headers['x-dlq-reason']).toBe(`record 2: request ${first[2].requestId} names grant ${grant.grantId} but no route`);
      expect(letter.headers['x-dlq-offset']).toBe(sent[0].offset);
      expect(letter.headers['x-dlq-partition']).toBe(String(sent[0].partition));
      // The whole message is parked, as it was produced.
      expect((letter.value as { data: { records: unknown[] } }).data.records).toHaveLength(4);

      const [other, ...moreOfSecond] = lettersOf(twoBad);
      expect(moreOfSecond).toEqual([]);
      expect(other.headers['x-dlq-reason']).toBe(
        `record 0: request ${second[0].requestId} names grant ${grant.grantId} but no route; ` +
          `record 2: request ${second[2].requestId} names grant ${grant.grantId} but no route`,
      );
      expect(other.headers['x-dlq-offset']).toBe(sent[1].offset);
      expect(await grantTotal(grant.grantId)).toBe(4);
      expect(await keyApiTotal(keyId)).toBe(4);
    });

    it('counts v1 and v2 traffic of the same run, for different keys under one grant', async () => {
      const grant = grantState();
      const [oldGatewayKey, newGatewayKey] = [randomUUID(), randomUUID()];
      const call = (keyId: string, i: number) => accessLogRecord(grant, keyId, { at: new Date(Date.UTC(2026, 9, 1, 8, 0, i)).toISOString() });
      const v1 = Array.from({ length: 30 }, (_, i) => call(oldGatewayKey, i * 2));
      const v2 = Array.from({ length: 50 }, (_, i) => call(newGatewayKey, i * 2 + 1));
      await Promise.all([produceAccessLogs(producer, v1), produceAccessLogBatches(producer, v2, { maxRecords: 20 })]);

      expect(await grantTotalReaching(grant.grantId, 80)).toBe(80);
      expect(await keyApiTotal(oldGatewayKey)).toBe(30);
      expect(await keyApiTotal(newGatewayKey)).toBe(50);
      expect(await keyApiRows([oldGatewayKey, newGatewayKey])).toEqual(expectedKeyApiRows([...v1, ...v2]));
      // The latest call came through v2.
      expect(await grantLastUsed(grant.grantId)).toBe(latestAt(v2));
      expect(latestAt(v2)! > latestAt(v1)!).toBe(true);
    });
  });

  describe('gateway.access-log.v3: the records of v2 in columns, as gateways now produce them', () => {
    it('counts records carried in column messages exactly like v1 records: per grant, key, route and day, with last use', async () => {
      const { grants, keys, records, counted } = largeBatch();
      const messages = await produceAccessLogBatches(producer, records, { maxRecords: 200, columns: true });
      expect(messages.length).toBeGreaterThanOrEqual(5);
      expect(messages.every((m) => m.records.every((r) => accessLogPartition(r.keyId!) === m.partition))).toBe(true);

      await counted();
      expect(await keyApiRows(keys)).toEqual(expectedKeyApiRows(records));
      for (const grant of grants) expect(await grantLastUsed(grant.grantId)).toBe(latestAt(records.filter((r) => r.grantId === grant.grantId)));
      expect(harness.app.get(UsageConsumer).accessLogColumns.skippedCount).toBe(0);
    });

    it('dead-letters a message once, naming each record it could not read or count, and counts its others; and a message of uneven columns whole', async () => {
      const grant = grantState();
      const keyId = randomUUID();
      const gatewayId = gatewayOfOwn();
      const calls = Array.from({ length: 5 }, (_, i) => accessLogRecord(grant, keyId, { gatewayId, route: i === 3 ? null : 'GET /orders/:id' }));
      const columns = accessLogColumnsOf(gatewayId, calls.map(accessLogCallOf));
      // Record 1 names a string the message does not have; record 3 has no route, which only counting finds.
      columns.principalId[1] = columns.strings.length;
      const uneven: AccessLogColumns = { ...columns, status: columns.status.slice(1) };
      const partition = accessLogPartition(keyId);
      const metadata = await producer.send({
        topic: TOPICS.accessLogColumns,
        acks: -1,
        messages: [columns, uneven].map((data) => ({
          key: gatewayId,
          partition,
          value: JSON.stringify(buildEnvelope({ topic: TOPICS.accessLogColumns, subject: gatewayId, source: 'gateway', data })),
        })),
      });
      const first = BigInt(metadata[0].baseOffset!);

      expect(await grantTotalReaching(grant.grantId, 3)).toBe(3);
      await probeCaughtUp(deadLetterTopic(TOPICS.accessLogColumns));
      const letters = probe.where(
        (m) => m.topic === deadLetterTopic(TOPICS.accessLogColumns) && m.key === gatewayId && m.headers['x-dlq-consumer'] === harness.accessLogColumnsGroup,
      );
      const byOffset = (a: { headers: Record<string, string> }, b: { headers: Record<string, string> }) => Number(a.headers['x-dlq-offset']) - Number(b.headers['x-dlq-offset']);
      letters.sort(byOffset);
      expect(letters.map((l) => [l.headers['x-dlq-offset'], l.headers['x-dlq-reason']])).toEqual([
        [
          String(first),
          `record 1: principalId names string ${columns.strings.length}, beyond the message's ${columns.strings.length}; ` +
            `record 3: request ${calls[3].requestId} names grant ${grant.grantId} but no route`,
        ],
        [String(first + 1n), 'columns status do not have one value for each of the 5 records'],
      ]);
      // The whole message is parked, as it was produced.
      expect((letters[0].value as { data: AccessLogColumns }).data.requestId).toEqual(calls.map((c) => c.requestId));
      expect(await grantTotal(grant.grantId)).toBe(3);
      expect(await keyApiTotal(keyId)).toBe(3);
    });
  });

  it('publishes a key and API last use on first use, then only once it moved past the interval', async () => {
    const grant = grantState();
    const keyId = randomUUID();
    const t0 = Date.parse('2026-08-01T10:00:00.000Z');
    const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
    // One batch at a time, each counted before the next, so each is its own publishing decision.
    const steps = [0, 30, 61, 90, 100];
    for (const [i, seconds] of steps.entries()) {
      await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: at(seconds) })]);
      await grantTotalReaching(grant.grantId, i + 1);
    }
    // An earlier call arriving late moves nothing forward, so it publishes nothing either.
    await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: at(-500) })]);
    await grantTotalReaching(grant.grantId, 6);
    await settled();

    const key = usageLastUsedKey({ keyId, apiId: grant.apiId });
    const published = lastUsedOf(key);
    expect(published).toEqual([
      { keyId, principalId: grant.principalId, apiId: grant.apiId, grantId: grant.grantId, lastUsedAt: at(0), requests: 1 },
      { keyId, principalId: grant.principalId, apiId: grant.apiId, grantId: grant.grantId, lastUsedAt: at(61), requests: 3 },
    ]);
    const envelopes = ours(TOPICS.usageLastUsed, key);
    for (const envelope of envelopes) {
      expect(parseEvent(TOPICS.usageLastUsed, Buffer.from(JSON.stringify(envelope.value)))).toMatchObject({ ok: true });
    }
  });

  it('publishes a first-use signal the first time a grant is used, and only then', async () => {
    const grant = grantState();
    const keyId = randomUUID();
    await announceGrants(producer, [grant]);
    await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: '2026-09-01T10:00:00.000Z' })]);
    await grantTotalReaching(grant.grantId, 1);
    await produceAccessLogs(producer, [
      accessLogRecord(grant, keyId, { at: '2026-09-02T10:00:00.000Z' }),
      accessLogRecord(grant, keyId, { at: '2026-09-03T10:00:00.000Z' }),
    ]);
    await grantTotalReaching(grant.grantId, 3);
    await settled();

    const signals = signalsOf(grant.grantId);
    expect(signals).toEqual([{ kind: 'first-use', grantId: grant.grantId, lastUsedAt: '2026-09-01T10:00:00.000Z', daysSinceUse: expect.any(Number) }]);
    // Whole days from the call to when the signal was written, a moment before now.
    const daysSince = Math.floor((Date.now() - Date.parse('2026-09-01T10:00:00.000Z')) / 86_400_000);
    expect([daysSince - 1, daysSince]).toContain(signals[0].daysSinceUse);
    const [envelope] = ours(TOPICS.usageSignals, grant.grantId);
    expect(parseEvent(TOPICS.usageSignals, Buffer.from(JSON.stringify(envelope.value)))).toMatchObject({ ok: true });
  });
});
