import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AccessLogEntry, MAX_TABLE_STRINGS } from './access-log-entry';
import { accessLogEntry } from './access-log-entry.fixtures';
import { AccessLogSink, WorkerAccessLogSink } from './access-log.sinks';

/**
 * The hand-over to the access-log worker, against a stand-in worker thread that takes entries only
 * when told to: a worker starved of CPU. The real worker (compiled) is driven by the e2e suite and the bench.
 */
const STARVED_WORKER = `
const { writeFileSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
let received = 0;
let taken = 0;
// Its copy of the request thread's string table, kept as the real worker keeps it, and the key id it read for each request.
const strings = [];
const keyIds = {};
parentPort.on('message', (message) => {
  if (message.type === 'entries') {
    if (message.batch[0] === 'die') process.exit(3);
    strings.push(...message.strings);
    for (let offset = 0; offset < message.batch.length; offset += 12) {
      const index = message.batch[offset + 9];
      keyIds[message.batch[offset]] = index === -1 ? null : strings[index];
    }
    if (message.restart) strings.length = 0;
    received += message.batch.length / 12;
    return;
  }
  // 'flush' stands for the worker getting the CPU at last: it takes everything handed over so far.
  Atomics.sub(workerData.pending, 0, received - taken);
  taken = received;
  writeFileSync(require('node:path').join(__dirname, 'key-ids.json'), JSON.stringify(keyIds));
  parentPort.postMessage({ type: 'done', id: message.id, sent: received, dropped: 0 });
});
`;

class RecordingSink implements AccessLogSink {
  readonly mode = 'inline';
  readonly overflowedCount = 0;
  readonly droppedCount = 0;
  readonly written: string[] = [];
  closed = false;
  get sentCount(): number {
    return this.written.length;
  }
  write(entry: AccessLogEntry): void {
    this.written.push(entry.requestId);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

const entry = (requestId: string) => accessLogEntry({ requestId });

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `req-${from + i}`);

describe('WorkerAccessLogSink', () => {
  let dir: string;
  let workerFile: string;
  let sink: WorkerAccessLogSink | null = null;
  let inThread: RecordingSink;
  let logLines: string[];
  let keyIdsFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-log-sink-'));
    workerFile = join(dir, 'starved-worker.js');
    writeFileSync(workerFile, STARVED_WORKER);
    // Where the stand-in writes the key ids it read: beside itself.
    keyIdsFile = join(dir, 'key-ids.json');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Each request id the stand-in worker has read so far, with the key id it read for it. */
  const keyIdsRead = (): Record<string, string | null> => JSON.parse(readFileSync(keyIdsFile, 'utf8'));

  beforeEach(() => {
    inThread = new RecordingSink();
    logLines = [];
  });

  afterEach(async () => {
    await sink?.close();
    sink = null;
  });

  function start(maxPendingEntries: number): WorkerAccessLogSink {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    sink = new WorkerAccessLogSink({
      data: { brokers: ['127.0.0.1:1'], gatewayId: 'gw-test', logLevel: 'info', maxRecords: 200, lingerMs: 50, nice: 0 },
      logger,
      inThread: () => inThread,
      workerFile,
      maxPendingEntries,
    });
    return sink;
  }

  it('produces in the request thread only what would take the untaken entries past the bound, until the worker catches up', async () => {
    const sink = start(512);
    // Three hand-overs of 256: the worker takes none of them, so the third would make 768 untaken.
    for (const id of ids(0, 768)) sink.write(entry(id));
    expect(sink.overflowedCount).toBe(256);
    expect(inThread.written).toEqual(ids(512, 256));

    await sink.flush(); // the worker takes the 512 it holds
    expect(sink.sentCount).toBe(768);

    for (const id of ids(768, 512)) sink.write(entry(id));
    expect(sink.overflowedCount).toBe(256);
    expect(inThread.written).toHaveLength(256);
    await sink.flush();
    expect(sink.sentCount).toBe(1280);
    expect(sink.droppedCount).toBe(0);
    expect(sink.mode).toBe('worker');
  });

  it('keeps every entry with the worker while it keeps up', async () => {
    const sink = start(512);
    for (let round = 0; round < 4; round++) {
      for (const id of ids(round * 512, 512)) sink.write(entry(id));
      await sink.flush();
    }
    expect(sink.overflowedCount).toBe(0);
    expect(inThread.written).toEqual([]);
    expect(sink.sentCount).toBe(2048);
  });

  it("keeps the worker's string table in step when entries stay in the request thread, so later entries naming the same strings read right", async () => {
    const sink = start(512);
    for (const id of ids(0, 512)) sink.write(entry(id));
    // The worker has taken nothing yet: these 256 are produced here, and the key ids they first named go to the worker alone.
    const overflowKeys = ids(512, 256).map((id) => accessLogEntry({ requestId: id }));
    for (const overflowed of overflowKeys) sink.write(overflowed);
    expect(sink.overflowedCount).toBe(256);
    await sink.flush();

    // The same keys again, now handed to the worker: their numbers were carried by the overflow's hand-over.
    for (const [i, earlier] of overflowKeys.entries()) sink.write({ ...earlier, requestId: `again-${i}` });
    await sink.flush();
    const read = keyIdsRead();
    expect(overflowKeys.map((_, i) => read[`again-${i}`])).toEqual(overflowKeys.map((earlier) => earlier.keyId));
  });

  it('starts the string table over on both sides past its bound, and every entry still reads right', async () => {
    const sink = start(1_000_000);
    // Four fresh ids an entry: past the bound within the run, with hand-overs on either side of the restart.
    const written = Array.from({ length: MAX_TABLE_STRINGS / 4 + 1024 }, (_, i) => accessLogEntry({ requestId: `r-${i}` }));
    for (const one of written) sink.write(one);
    await sink.flush();
    const read = keyIdsRead();
    const wrong = written.filter((one) => read[one.requestId] !== one.keyId);
    expect(wrong).toEqual([]);
    expect(Object.keys(read)).toHaveLength(written.length);
  });

  it('counts what a dead worker held as dropped, and produces everything in the request thread afterwards', async () => {
    const sink = start(4096);
    for (const id of ids(0, 256)) sink.write(entry(id));
    await sink.flush(); // taken and reported
    for (const id of ids(256, 256)) sink.write(entry(id));
    await sink.flush();
    sink.write(entry('die'));
    await sink.flush(); // hands 'die' over; the worker exits, and its exit settles the flush

    expect(sink.mode).toBe('inline');
    // The second 256 were taken at the second flush; only 'die' was untaken when the worker went.
    expect(sink.droppedCount).toBe(1);
    expect(logLines.some((line) => line.includes('access-log worker exited'))).toBe(true);

    for (const id of ids(512, 3)) sink.write(entry(id));
    expect(inThread.written).toEqual(ids(512, 3));
    expect(sink.overflowedCount).toBe(0);
    await sink.close();
    expect(inThread.closed).toBe(true);
  });
});
