import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AccessLogEntry } from './access-log-entry';
import { accessLogEntry } from './access-log-entry.fixtures';
import { AccessLogSink, WorkerAccessLogSink } from './access-log.sinks';

/**
 * The hand-over to the access-log worker, against a stand-in worker thread that takes entries only
 * when told to: a worker starved of CPU. The real worker (compiled) is driven by the e2e suite and the bench.
 */
const STARVED_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
let received = 0;
let taken = 0;
parentPort.on('message', (message) => {
  if (message.type === 'entries') {
    if (message.batch[0] === 'die') process.exit(3);
    received += message.batch.length / 12;
    return;
  }
  // 'flush' stands for the worker getting the CPU at last: it takes everything handed over so far.
  Atomics.sub(workerData.pending, 0, received - taken);
  taken = received;
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

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-log-sink-'));
    workerFile = join(dir, 'starved-worker.js');
    writeFileSync(workerFile, STARVED_WORKER);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
