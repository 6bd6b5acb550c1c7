import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { AccessLogCall, accessLogColumnsOf, EVENT_CONTRACTS, groupAccessLogRecords, Topic, TOPIC_SPECS, TOPICS } from '@attest/contracts';
import { freePort, ServiceProcess } from '@attest/testing';
import { withManifestNodeOptions } from './manifest';
import { profiling } from './profiling';
import { fmt } from './stats';

/**
 * usage-ingest throughput: access-log events (one per request) are produced as gateways produce them,
 * `gateway.access-log.v3` messages of 400 records, each on the partition of its records' keys,
 * to the real topic, and a real usage-ingest process (its own consumer group, started at the topic's
 * end) counts them into Postgres. Progress is read from what it committed: its stored positions per
 * partition, turned into records by what this run produced at each offset.
 *
 * 1. backlog: N events produced first, then drained at full speed (sustained events/s into Postgres);
 * 2. live: events produced at a steady rate (the gateway at its peak) while it consumes; the lag
 *    (produced minus committed) is sampled to show it stays bounded.
 */
export interface UsageIngestBenchOptions {
  /** A database on the Postgres server to use; the benchmark works in `<its name>_usage_ingest_bench` next to it. */
  databaseUrl: string;
  brokers: string;
  adminToken: string;
  /** Events in the backlog phase. */
  backlogEvents?: number;
  /** Events per second produced during the live phase, and for how long. */
  liveRate?: number;
  liveSeconds?: number;
  /** Distinct API keys in the traffic (each with one principal, one grant and one API). */
  keys?: number;
  /** usage-ingest processes in the consumer group (the topic's 3 partitions are shared among them). */
  replicas?: number;
  /** Extra settings for the usage-ingest process, e.g. ACCESS_LOG_MAX_BYTES_PER_PARTITION. */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface UsageIngestBenchResult {
  backlog: {
    events: number;
    produceSeconds: number;
    drainSeconds: number;
    /**
     * This run's records consumed while timed. Messages another producer appended meanwhile are
     * consumed too, but what they carry is not known here, so they count as none.
     */
    recordsDrained: number;
    eventsPerSecond: number;
    /** usage-ingest's own CPU time per 1,000 events (user + system). */
    cpuMsPer1000: number;
    /** CPU time of usage-ingest's Postgres backends per 1,000 events. */
    postgresCpuMsPer1000: number;
  };
  live: {
    events: number;
    targetRate: number;
    producedRate: number;
    maxLagEvents: number;
    /** The largest lag, as time at the live rate. */
    maxLagMs: number;
    /** From the last event produced to the last one committed. */
    drainAfterMs: number;
  };
  /** Every produced event was counted exactly once (sum of stored requests equals events produced). */
  countsMatch: boolean;
  replicas: number;
  settings: Record<string, string>;
}

const SAMPLE_MS = 100;
/** Records per produce request in the backlog phase (20 full messages). */
const SEND_CHUNK = 4000;
const SENDS_IN_FLIGHT = 4;
/**
 * A produce request's messages for one partition form one record batch, which the broker refuses past
 * its `message.max.bytes` (1 MiB by default): a request stops short of this many bytes per partition.
 */
const PARTITION_BATCH_BYTES = 900 * 1024;
const GATEWAY_ID = 'bench-gw';

interface Subject {
  keyId: string;
  principalId: string;
  grantId: string;
  apiId: string;
}

/** A v3 message, sent to its partition explicitly, and how many records it carries. */
interface Message {
  key: string;
  partition: number;
  value: string;
  records: number;
}

/**
 * The records this run produced at each offset: per partition, its messages' offsets (once the broker
 * acknowledged them) and record counts, so a stored position (an offset) tells how many records lie
 * below it.
 */
class RecordLedger {
  private readonly partitions = new Map<number, { messages: Array<{ offset: bigint; records: number }>; sorted: boolean; below: number[] }>();

  /** A produce request's messages (in the order sent), at the base offsets the broker gave each partition. */
  add(messages: readonly Message[], baseOffsets: ReadonlyMap<number, bigint>): void {
    const next = new Map(baseOffsets);
    for (const message of messages) {
      const offset = next.get(message.partition)!;
      next.set(message.partition, offset + 1n);
      let partition = this.partitions.get(message.partition);
      if (partition === undefined) this.partitions.set(message.partition, (partition = { messages: [], sorted: true, below: [0] }));
      partition.messages.push({ offset, records: message.records });
      partition.sorted = false;
    }
  }

  /** This run's records at offsets below `position` in the partition. */
  recordsBelow(partition: number, position: bigint): number {
    const entry = this.partitions.get(partition);
    if (entry === undefined) return 0;
    if (!entry.sorted) {
      // Requests in flight together are acknowledged in any order.
      entry.messages.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
      entry.below = [0];
      for (const message of entry.messages) entry.below.push(entry.below[entry.below.length - 1] + message.records);
      entry.sorted = true;
    }
    let low = 0;
    let high = entry.messages.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entry.messages[middle].offset < position) low = middle + 1;
      else high = middle;
    }
    return entry.below[low];
  }
}

export async function benchUsageIngest(options: UsageIngestBenchOptions): Promise<UsageIngestBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const backlogEvents = options.backlogEvents ?? 500_000;
  const liveRate = options.liveRate ?? 30_000;
  const liveSeconds = options.liveSeconds ?? 10;
  const groupPrefix = `bench-usage-${Date.now()}`;
  const group = `${groupPrefix}.usage-ingest.access-log-columns`;
  const topic = TOPICS.accessLogColumns;
  const settings = {
    KAFKA_GROUP_PREFIX: groupPrefix,
    // Its grants, v1 and v2 access-log consumers have nothing to read here; only the v3 group is positioned by hand.
    KAFKA_CONSUMER_START: 'latest',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // As deployed: its manifest gives it a larger young generation (batches allocate many short-lived objects).
    NODE_OPTIONS: withManifestNodeOptions('usage-ingest'),
    ...options.env,
  };

  // A database of its own: a cluster's usage-ingest (another group) may count the same synthetic traffic.
  const databaseUrl = await ownDatabase(options.databaseUrl, 'usage_ingest_bench');
  const kafka = new Kafka({ clientId: 'bench-usage-ingest', brokers: options.brokers.split(','), logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  const db = new Client({ connectionString: databaseUrl });
  const services: ServiceProcess[] = [];
  await Promise.all([admin.connect(), producer.connect(), db.connect()]);
  try {
    await ensureTopic(admin, topic);
    // The topic is shared: measure from its end now, and let the group start exactly there. Other
    // producers may append meanwhile; their records are consumed too and counted as work done, and
    // completion means the stored positions passed the topic's end as it was when production ended.
    const start = await endOffsets(admin, topic);
    await admin.setOffsets({ groupId: group, topic, partitions: [...start].map(([partition, offset]) => ({ partition, offset: offset.toString() })) });
    const positions = async (): Promise<Map<number, bigint>> => {
      const { rows } = await db
        .query<{ partition: number; next_offset: string }>(
          `SELECT partition, next_offset FROM usage_ingest.consumer_positions WHERE consumer = $1 AND topic = $2`,
          [group, topic],
        )
        .catch(() => ({ rows: [] as Array<{ partition: number; next_offset: string }> }));
      const stored = new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
      return new Map([...start].map(([partition, from]) => [partition, stored.get(partition) ?? from]));
    };
    const ledger = new RecordLedger();
    /** This run's records from positions `from` to `to`, over all partitions (a missing partition counts as its start). */
    const between = (from: Map<number, bigint>, to: Map<number, bigint>) =>
      [...start.keys()].reduce(
        (sum, p) => sum + ledger.recordsBelow(p, to.get(p) ?? start.get(p)!) - ledger.recordsBelow(p, from.get(p) ?? start.get(p)!),
        0,
      );
    const reached = (at: Map<number, bigint>, target: Map<number, bigint>) => [...target].every(([p, end]) => (at.get(p) ?? 0n) >= end);

    const subjects = Array.from({ length: options.keys ?? 2000 }, (_, i) => subject(i));
    log(`\nusage-ingest: building ${backlogEvents.toLocaleString()} access-log events over ${subjects.length} keys...`);
    const backlog = buildMessages({ subjects, count: backlogEvents, seed: 0 });
    const send = async (messages: Message[]) => {
      const metadata = await producer.send({ topic, acks: 1, messages });
      // Messages of one partition got consecutive offsets in the order sent.
      ledger.add(messages, new Map(metadata.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')])));
    };

    // 1. Backlog: produce everything, then start usage-ingest and time the drain from its first commit.
    const produceStarted = performance.now();
    await produceAll(send, backlog);
    const produceSeconds = (performance.now() - produceStarted) / 1000;
    const backlogMessages = backlog.length;
    backlog.length = 0;
    log(`usage-ingest: produced ${backlogEvents.toLocaleString()} in ${backlogMessages.toLocaleString()} messages in ${fmt(produceSeconds)} s; starting usage-ingest...`);
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      services.push(
        new ServiceProcess({
          name: 'usage-ingest',
          label: `usage-ingest-${i + 1}`,
          port: await freePort(),
          nodeArgs: profiling(`usage-ingest-${i + 1}`),
          env: { DATABASE_URL: databaseUrl, KAFKA_BROKERS: options.brokers, ATTEST_ADMIN_TOKEN: options.adminToken, ...settings },
          onLine: (label, line) => {
            if (/"level":(50|60)|ERROR/.test(line) && !/Health Check|rebalancing/.test(line)) log(`  ${label}: ${line}`);
          },
        }).start(),
      );
    }
    await Promise.all(services.map((service) => service.waitReady()));
    const serviceCpuMs = () => services.reduce((sum, service) => sum + cpuMs(service.pid), 0);
    const backends = async () =>
      (
        await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'usage-ingest'`)
      ).rows.map((row) => row.pid);
    let first: { at: number; positions: Map<number, bigint> } | null = null;
    let drained = 0;
    let cpuBefore = 0;
    let pgBefore = new Map<number, number>();
    for (;;) {
      const now = await positions();
      if (!first && between(start, now) > 0) {
        first = { at: performance.now(), positions: now };
        cpuBefore = serviceCpuMs();
        pgBefore = new Map((await backends()).map((pid) => [pid, cpuMs(pid)]));
      }
      const target = await endOffsets(admin, topic);
      if (reached(now, target)) {
        drained = between(first!.positions, now);
        break;
      }
      await sleep(SAMPLE_MS);
    }
    const drainSeconds = (performance.now() - first!.at) / 1000;
    const cpuUsed = serviceCpuMs() - cpuBefore;
    const pgUsed = (await backends()).reduce((sum, pid) => sum + cpuMs(pid) - (pgBefore.get(pid) ?? 0), 0);

    // 2. Live: a steady rate while it consumes; lag (the topic's end minus the stored positions) sampled meanwhile.
    const liveEvents = Math.round(liveRate * liveSeconds);
    log(`usage-ingest: drained at ${fmt(drained / drainSeconds, 0)} events/s; live phase at ${liveRate.toLocaleString()} events/s for ${liveSeconds} s...`);
    const live = buildMessages({ subjects, count: liveEvents, seed: backlogEvents });
    let maxLag = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [ends, at] = await Promise.all([endOffsets(admin, topic), positions()]);
        maxLag = Math.max(maxLag, between(at, ends));
        await sleep(SAMPLE_MS);
      }
    })();
    const liveStarted = performance.now();
    const perTick = Math.max(1, Math.round((liveRate * SAMPLE_MS) / 1000));
    const sending = new Set<Promise<unknown>>();
    for (let next = 0, sent = 0; next < live.length; ) {
      // Sends on a schedule (in records): ahead of it, wait; behind it (slow sends), catch up at once, a few sends at a time.
      const due = liveStarted + (sent / liveRate) * 1000;
      if (performance.now() < due) await sleep(due - performance.now());
      const end = chunkEnd(live, next, perTick);
      const chunk = live.slice(next, end);
      const request = send(chunk).finally(() => sending.delete(request));
      sending.add(request);
      if (sending.size >= SENDS_IN_FLIGHT) await Promise.race(sending);
      next = end;
      sent += recordsIn(chunk);
    }
    await Promise.all(sending);
    const liveProducedAt = performance.now();
    const liveEnd = await endOffsets(admin, topic);
    while (!reached(await positions(), liveEnd)) await sleep(SAMPLE_MS / 2);
    const drainAfterMs = performance.now() - liveProducedAt;
    sampling = false;
    await sampler;
    const total = backlogEvents + liveEvents;

    const counted = await db.query<{ requests: string }>(
      `SELECT coalesce(sum(requests), 0) AS requests FROM usage_ingest.key_api_usage WHERE key_id = ANY($1::uuid[])`,
      [subjects.map((s) => s.keyId)],
    );
    return {
      backlog: {
        events: backlogEvents,
        produceSeconds,
        drainSeconds,
        eventsPerSecond: drained / drainSeconds,
        recordsDrained: drained,
        cpuMsPer1000: (cpuUsed / drained) * 1000,
        postgresCpuMsPer1000: (pgUsed / drained) * 1000,
      },
      live: {
        events: liveEvents,
        targetRate: liveRate,
        producedRate: liveEvents / ((liveProducedAt - liveStarted) / 1000),
        maxLagEvents: maxLag,
        maxLagMs: (maxLag / liveRate) * 1000,
        drainAfterMs,
      },
      countsMatch: Number(counted.rows[0].requests) === total,
      replicas: services.length,
      settings,
    };
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), db.end()]);
  }
}

/** The lines `npm run bench` prints for this benchmark. */
export function formatUsageIngestBench(result: UsageIngestBenchResult): string[] {
  const { backlog, live } = result;
  return [
    `\n== usage-ingest: access-log events into Postgres (${result.replicas === 1 ? 'one process' : `${result.replicas} processes`}, real Kafka and Postgres)`,
    `backlog  ${backlog.recordsDrained.toLocaleString()} events drained in ${fmt(backlog.drainSeconds)} s: ${fmt(backlog.eventsPerSecond, 0)} events/s ` +
      `(CPU per 1,000 events: usage-ingest ${fmt(backlog.cpuMsPer1000)} ms, its Postgres backends ${fmt(backlog.postgresCpuMsPer1000)} ms; ` +
      `producing them took ${fmt(backlog.produceSeconds)} s)`,
    `live     ${live.events.toLocaleString()} events at ${fmt(live.producedRate, 0)} events/s (target ${live.targetRate.toLocaleString()}): ` +
      `max lag ${live.maxLagEvents.toLocaleString()} events (~${fmt(live.maxLagMs, 0)} ms of traffic), caught up ${fmt(live.drainAfterMs, 0)} ms after the last one`,
    `counts   ${result.countsMatch ? 'every event counted exactly once' : 'MISMATCH: stored requests differ from events produced'}`,
  ];
}

function subject(i: number): Subject {
  return { keyId: randomUUID(), principalId: randomUUID(), grantId: randomUUID(), apiId: API_IDS[i % API_IDS.length] };
}

const API_IDS = Array.from({ length: 20 }, () => randomUUID());
const ROUTES = ['GET /items/:id', 'GET /items', 'POST /items', 'PUT /items/:id', 'DELETE /items/:id'];
const CONTRACT = EVENT_CONTRACTS[TOPICS.accessLogColumns];
/**
 * Records per message as a busy gateway sends them: one per partition every 50 ms (its linger) at
 * 24,000 requests/s; a gateway closes one sooner only at 1,000 records or when its JSON might reach
 * 256 KiB (about 950 records of these lengths).
 */
const GATEWAY_MESSAGE_RECORDS = 400;

/**
 * `count` requests as a gateway sends them: grouped by the partition of their key, `GATEWAY_MESSAGE_RECORDS`
 * records a message (`groupAccessLogRecords`); 1 in 20 is a denied call (no grant).
 */
function buildMessages({ subjects, count, seed }: { subjects: Subject[]; count: number; seed: number }): Message[] {
  const records: AccessLogCall[] = [];
  const base = Date.now();
  let random = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < count; i++) {
    random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
    const s = subjects[random % subjects.length];
    const denied = random % 20 === 0;
    records.push({
      requestId: randomUUID(),
      atMs: Math.floor(base + i / 50),
      method: 'GET',
      path: `/bench/items/${i}`,
      status: denied ? 403 : 200,
      outcome: denied ? 'forbidden' : 'allowed',
      latencyMs: 1.25,
      apiId: s.apiId,
      route: ROUTES[(random >>> 8) % ROUTES.length],
      keyId: s.keyId,
      principalId: s.principalId,
      grantId: denied ? null : s.grantId,
    });
  }
  return groupAccessLogRecords(records, GATEWAY_MESSAGE_RECORDS).map(({ partition, records: carried }) => {
    const data = accessLogColumnsOf(GATEWAY_ID, carried);
    const at = new Date(carried[carried.length - 1].atMs).toISOString();
    const envelope = { id: randomUUID(), type: CONTRACT.type, version: CONTRACT.version, occurredAt: at, source: 'gateway', subject: GATEWAY_ID, data };
    return { key: GATEWAY_ID, partition, value: JSON.stringify(envelope), records: carried.length };
  });
}

function recordsIn(messages: readonly Message[]): number {
  return messages.reduce((sum, message) => sum + message.records, 0);
}

/**
 * Where a produce request starting at `from` ends: once it carries `records` records, or before a
 * partition's share would pass what the broker takes in one record batch.
 */
function chunkEnd(messages: readonly Message[], from: number, records: number): number {
  const bytes = new Map<number, number>();
  let carried = 0;
  let end = from;
  while (end < messages.length && carried < records) {
    const { partition, value } = messages[end];
    const size = (bytes.get(partition) ?? 0) + Buffer.byteLength(value);
    if (end > from && size > PARTITION_BATCH_BYTES) break;
    bytes.set(partition, size);
    carried += messages[end].records;
    end++;
  }
  return end;
}

/** `<database>_<suffix>` next to the given one, created when missing. */
async function ownDatabase(url: string, suffix: string): Promise<string> {
  const target = new URL(url);
  const name = `${decodeURIComponent(target.pathname.slice(1)) || 'postgres'}_${suffix}`;
  target.pathname = `/${encodeURIComponent(name)}`;
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another run
      });
    }
  } finally {
    await admin.end();
  }
  return target.toString();
}

async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
}

async function produceAll(send: (messages: Message[]) => Promise<void>, messages: Message[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const end = chunkEnd(messages, next, SEND_CHUNK);
      const chunk = messages.slice(next, end);
      next = end;
      await send(chunk);
    }
  };
  await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, worker));
}

async function ensureTopic(admin: Admin, topic: Topic): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopics({ topics: [{ topic, numPartitions: TOPIC_SPECS[topic].partitions }], waitForLeaders: true });
}

/** CPU time (user + system) the process has used, from /proc; 0 where there is none. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are the 12th and 13th fields after the command name, in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The benchmark's settings from BENCH_USAGE_* variables, with the defaults `npm run bench` uses. */
export function usageIngestBenchOptions(adminToken = `bench-${randomUUID()}`): UsageIngestBenchOptions {
  return {
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/attest_bench_test',
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    adminToken,
    backlogEvents: Number(process.env.BENCH_USAGE_EVENTS ?? 500_000),
    liveRate: Number(process.env.BENCH_USAGE_LIVE_RATE ?? 30_000),
    liveSeconds: Number(process.env.BENCH_USAGE_LIVE_SECONDS ?? 10),
    replicas: Number(process.env.BENCH_USAGE_REPLICAS ?? 1),
  };
}

/** `node bench/dist/usage-ingest.bench.js`: this benchmark alone, against the running broker and Postgres. */
if (require.main === module) {
  benchUsageIngest(usageIngestBenchOptions())
    .then((result) => {
      console.log(formatUsageIngestBench(result).join('\n'));
      console.log(`settings: ${JSON.stringify(result.settings)}`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
