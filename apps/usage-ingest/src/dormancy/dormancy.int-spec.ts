import { randomUUID } from 'node:crypto';
import { Admin, Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AccessGrant, TOPICS, UsageSignal } from '@attest/contracts';
import { parseEvent } from '@attest/messaging';
import { TEST_DATABASE_URL, TopicProbe, waitFor } from '@attest/testing';
import {
  accessLogRecord,
  announceGrants,
  grantState,
  produceAccessLogs,
  startUsageIngest,
  UsageIngestHarness,
} from '../testing/usage-ingest.harness';
import { DormancyService } from './dormancy.service';

jest.setTimeout(90_000);

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('usage-ingest: dormant grants signalled once per dormancy period', () => {
  let harness: UsageIngestHarness;
  let dataSource: DataSource;
  let producer: Producer;
  let admin: Admin;
  let probe: TopicProbe;

  beforeAll(async () => {
    harness = await startUsageIngest({
      databaseUrl: TEST_DATABASE_URL,
      suite: 'dormancy',
      env: { DORMANCY_DAYS: '90', DORMANCY_CHECK_INTERVAL_MS: '200' },
    });
    dataSource = harness.app.get(DataSource);
    producer = harness.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    admin = harness.kafka.admin();
    await admin.connect();
    probe = await new TopicProbe(harness.kafka, [TOPICS.usageSignals]).start();
  });

  afterAll(async () => {
    await probe?.stop();
    await admin?.disconnect();
    await producer?.disconnect();
    await harness?.close();
  });

  /**
   * Signals this service published, by the ids its outbox relay recorded: another usage-ingest
   * (another suite, a running cluster) may read the same grants and signal them too.
   */
  const ownEventIds = new Set<string>();
  async function learnOwnEvents(): Promise<void> {
    const published: Array<{ event_id: string }> = await dataSource.query(`SELECT event_id FROM usage_ingest.outbox_published`);
    published.forEach((row) => ownEventIds.add(row.event_id));
  }
  const ours = (grantId: string) => probe.where((m) => m.key === grantId && ownEventIds.has((m.value as { id: string }).id));
  const dormantSignalsOf = (grantId: string): UsageSignal[] =>
    ours(grantId)
      .map((m) => (m.value as { data: UsageSignal }).data)
      .filter((signal) => signal.kind === 'dormant');
  const grantTotal = async (grantId: string): Promise<number> =>
    (await dataSource.query(`SELECT requests::int AS n FROM usage_ingest.grant_usage WHERE grant_id = $1`, [grantId]))[0]?.n ?? 0;
  const counted = (grantId: string, requests: number) =>
    waitFor(async () => (await grantTotal(grantId)) >= requests, { timeoutMs: 30_000, description: `grant ${grantId} counted` });
  const known = (grants: AccessGrant[]) =>
    waitFor(
      async () =>
        (await dataSource.query(`SELECT count(*)::int AS n FROM usage_ingest.grants WHERE grant_id = ANY($1::uuid[])`, [grants.map((g) => g.grantId)]))[0]
          .n === grants.length,
      { timeoutMs: 30_000, description: 'grants in the read model' },
    );
  /** A full dormancy check has run after this point, and whatever it signalled is on Kafka and seen. */
  async function afterNextChecks(): Promise<void> {
    const dormancy = harness.app.get(DormancyService);
    // Two periodic runs started after now: at least one ran wholly after the data the test just wrote.
    let runs = 0;
    const original = dormancy.check.bind(dormancy);
    jest.spyOn(dormancy, 'check').mockImplementation(async (now?: Date) => {
      const result = await original(now);
      runs++;
      return result;
    });
    await waitFor(() => runs >= 2, { description: 'two dormancy checks' });
    jest.restoreAllMocks();
    await waitFor(async () => (await dataSource.query(`SELECT count(*)::int AS n FROM usage_ingest.outbox`))[0].n === 0, {
      description: 'outbox drained',
    });
    await learnOwnEvents();
    const ends = (await admin.fetchTopicOffsets(TOPICS.usageSignals)).filter((p) => BigInt(p.high) > BigInt(p.low));
    await waitFor(
      () => ends.every((end) => probe.messages.some((m) => m.partition === end.partition && BigInt(m.offset) >= BigInt(end.high) - 1n)),
      { description: 'probe caught up on usage signals' },
    );
  }

  it('signals active grants idle past the threshold, counting a never-used one from its creation', async () => {
    const old = daysAgo(400);
    const neverUsed = grantState({ createdAt: old, updatedAt: old });
    const usedLongAgo = grantState({ createdAt: old, updatedAt: old });
    const usedLately = grantState({ createdAt: old, updatedAt: old });
    const newAndUnused = grantState();
    const revoked = grantState({ createdAt: old, updatedAt: old, status: 'revoked' });
    const keyId = randomUUID();
    const longAgo = daysAgo(100);
    // Usage first, so no check sees these grants before their usage is in.
    await produceAccessLogs(producer, [accessLogRecord(usedLongAgo, keyId, { at: longAgo }), accessLogRecord(usedLately, keyId, { at: daysAgo(1) })]);
    await counted(usedLongAgo.grantId, 1);
    await counted(usedLately.grantId, 1);
    const grants = [neverUsed, usedLongAgo, usedLately, newAndUnused, revoked];
    await announceGrants(producer, grants);
    await known(grants);
    await afterNextChecks();

    expect(dormantSignalsOf(neverUsed.grantId)).toEqual([{ kind: 'dormant', grantId: neverUsed.grantId, lastUsedAt: null, daysSinceUse: null }]);
    expect(dormantSignalsOf(usedLongAgo.grantId)).toEqual([{ kind: 'dormant', grantId: usedLongAgo.grantId, lastUsedAt: longAgo, daysSinceUse: 100 }]);
    expect(dormantSignalsOf(usedLately.grantId)).toEqual([]);
    expect(dormantSignalsOf(newAndUnused.grantId)).toEqual([]);
    expect(dormantSignalsOf(revoked.grantId)).toEqual([]);
    const [envelope] = ours(neverUsed.grantId);
    expect(parseEvent(TOPICS.usageSignals, Buffer.from(JSON.stringify(envelope.value)))).toMatchObject({ ok: true });

    // Later checks of the same idle period say nothing more.
    await afterNextChecks();
    expect(dormantSignalsOf(neverUsed.grantId)).toHaveLength(1);
    expect(dormantSignalsOf(usedLongAgo.grantId)).toHaveLength(1);
  });

  it('signals a grant again when it was used, then went idle past the threshold again', async () => {
    const old = daysAgo(400);
    const grant = grantState({ createdAt: old, updatedAt: old });
    const keyId = randomUUID();
    const firstUse = daysAgo(200);
    await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: firstUse })]);
    await counted(grant.grantId, 1);
    await announceGrants(producer, [grant]);
    await known([grant]);
    await afterNextChecks();
    expect(dormantSignalsOf(grant.grantId)).toEqual([{ kind: 'dormant', grantId: grant.grantId, lastUsedAt: firstUse, daysSinceUse: 200 }]);

    // Used again 95 days ago: a new idle period, itself past the threshold.
    const secondUse = daysAgo(95);
    await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: secondUse })]);
    await counted(grant.grantId, 2);
    await afterNextChecks();
    expect(dormantSignalsOf(grant.grantId)).toEqual([
      { kind: 'dormant', grantId: grant.grantId, lastUsedAt: firstUse, daysSinceUse: 200 },
      { kind: 'dormant', grantId: grant.grantId, lastUsedAt: secondUse, daysSinceUse: 95 },
    ]);
  });

  it('tells dormancy by the clock it is given: not a day before the threshold, at it', async () => {
    const grant = grantState();
    const keyId = randomUUID();
    const lastUse = new Date().toISOString();
    await produceAccessLogs(producer, [accessLogRecord(grant, keyId, { at: lastUse })]);
    await counted(grant.grantId, 1);
    await announceGrants(producer, [grant]);
    await known([grant]);
    const dormancy = harness.app.get(DormancyService);
    const marked = async () =>
      (await dataSource.query(`SELECT idle_since FROM usage_ingest.dormancy_signals WHERE grant_id = $1`, [grant.grantId])).length;

    await dormancy.check(new Date(Date.parse(lastUse) + 89 * DAY));
    expect(await marked()).toBe(0);
    await dormancy.check(new Date(Date.parse(lastUse) + 90 * DAY));
    expect(await marked()).toBe(1);
    await waitFor(
      async () => {
        await learnOwnEvents();
        return dormantSignalsOf(grant.grantId).length === 1;
      },
      { description: 'the dormant signal' },
    );
    expect(dormantSignalsOf(grant.grantId)[0]).toEqual({ kind: 'dormant', grantId: grant.grantId, lastUsedAt: lastUse, daysSinceUse: 90 });
  });
});
