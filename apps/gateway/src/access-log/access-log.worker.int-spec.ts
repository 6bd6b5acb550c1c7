import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kafka } from 'kafkajs';
import pino from 'pino';
import { ACCESS_LOG_BATCH_MAX_RECORDS, AccessLogColumns, accessLogColumnsSchema, accessLogPartition, accessLogRecordsOfColumns, TOPICS } from '@attest/contracts';
import { ensureTopics } from '@attest/messaging';
import { testKafka, TopicProbe, waitFor } from '@attest/testing';
import { accessLogEntry } from './access-log-entry.fixtures';
import { AccessLogSink, WorkerAccessLogSink } from './access-log.sinks';

jest.setTimeout(60_000);

/**
 * The compiled access-log worker (a worker thread runs plain Node, outside Jest's module system, so
 * it runs the build output, as the deployed gateway does) producing to a real broker.
 */
const COMPILED_WORKER = resolve(__dirname, '../../dist/access-log/access-log.worker.js');

/** Nice value per thread of this process, from /proc (field 19 of a task's stat). */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is parenthesised and may hold spaces: state is field 3, nice field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    values.set(Number(tid), Number(fields[16]));
  }
  return values;
}

/** Stamped now, with a key id of its own, so the records spread over every partition. */
const entry = (requestId: string) => accessLogEntry({ requestId, atMs: Date.now() });

const NOTHING_IN_THREAD: () => AccessLogSink = () => {
  throw new Error('the request thread was asked to produce: the worker did not take what it was handed');
};

describe('access-log worker thread (compiled) against a real broker', () => {
  let kafka: Kafka;
  let probe: TopicProbe;
  let sink: WorkerAccessLogSink | null = null;

  beforeAll(async () => {
    if (!existsSync(COMPILED_WORKER)) throw new Error(`${COMPILED_WORKER} is missing: build first (npx tsc -b tsconfig.build.json)`);
    kafka = testKafka();
    await ensureTopics(kafka, [TOPICS.accessLogColumns]);
    probe = await new TopicProbe(kafka, [TOPICS.accessLogColumns], { from: 'end' }).start();
  });

  afterAll(async () => {
    await sink?.close();
    await probe?.stop();
  });

  it('runs at the configured nice value beside a request thread that keeps its own, takes what it is handed and produces every record once', async () => {
    const gatewayId = `gw-worker-int-spec-${randomUUID().slice(0, 8)}`;
    const before = threadNiceValues();
    expect([...before.values()].filter((nice) => nice === 7)).toEqual([]);

    sink = new WorkerAccessLogSink({
      data: { brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'], gatewayId, logLevel: 'warn', maxRecords: ACCESS_LOG_BATCH_MAX_RECORDS, lingerMs: 20, nice: 7 },
      logger: pino({ level: 'warn' }),
      inThread: NOTHING_IN_THREAD,
      workerFile: COMPILED_WORKER,
      maxPendingEntries: 512,
    });

    // Four times the bound, a flush after each bound's worth: only a worker that takes entries off the count keeps them all.
    const ids: string[] = [];
    const written = new Map<string, ReturnType<typeof entry>>();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 512; i++) {
        const id = `${gatewayId}-${round}-${i}`;
        ids.push(id);
        written.set(id, entry(id));
        sink.write(written.get(id)!);
      }
      await sink.flush();
    }

    const after = threadNiceValues();
    const niced = [...after].filter(([tid, nice]) => nice === 7 && !before.has(tid));
    expect(niced).toHaveLength(1);
    expect(after.get(process.pid)).toBe(before.get(process.pid));

    expect(sink.overflowedCount).toBe(0);
    expect(sink.droppedCount).toBe(0);
    const columns = (message: { value: unknown }) => (message.value as { data: AccessLogColumns }).data;
    const ours = () => probe.where((message) => columns(message).gatewayId === gatewayId);
    const records = () => ours().flatMap((message) => accessLogRecordsOfColumns(columns(message)).records.map(({ record }) => ({ partition: message.partition, record })));
    await waitFor(() => records().length >= ids.length, { timeoutMs: 30_000, description: 'the records on the access-log topic' });
    expect(
      records()
        .map(({ record }) => record.requestId)
        .sort(),
    ).toEqual([...ids].sort());
    // Each record says what its request's entry said: the strings that cross to the worker by number read back right.
    const fields = ['keyId', 'principalId', 'grantId', 'apiId', 'route', 'method', 'outcome', 'path', 'status'] as const;
    const differing = records().filter(({ record }) => fields.some((field) => record[field] !== written.get(record.requestId)![field]));
    expect(differing).toEqual([]);
    // Many records per message, each message valid under the contract, every record in the partition its key names.
    expect(ours().length).toBeLessThan(ids.length / 10);
    for (const message of ours()) expect(accessLogColumnsSchema.safeParse(columns(message)).success).toBe(true);
    expect(records().filter(({ partition, record }) => partition !== accessLogPartition(record.keyId!))).toEqual([]);
  });
});
