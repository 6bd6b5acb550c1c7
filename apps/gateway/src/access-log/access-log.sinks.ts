import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Producer } from 'kafkajs';
import type { Logger as PinoLogger } from 'pino';
import { AccessLogEntry, PACKED_FIELDS, PackedValue, packEntry, StringTable, unpackEntry } from './access-log-entry';
import { AccessLogBatcher } from './access-log.batcher';
import { AccessLogWorkerData, FromAccessLogWorker, ToAccessLogWorker } from './access-log.protocol';

/** Where access-log entries go: produced in this thread, or handed to the producer thread. */
export interface AccessLogSink {
  readonly mode: 'worker' | 'inline';
  /** Entries the request thread produced itself because the worker was too far behind. */
  readonly overflowedCount: number;
  readonly droppedCount: number;
  /** Records the broker acknowledged. */
  readonly sentCount: number;
  write(entry: AccessLogEntry): void;
  /** Sends what is buffered; resolves once produced (or given up on). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Produces in the request thread; used where no compiled worker exists (tests running the sources). */
export class InlineAccessLogSink implements AccessLogSink {
  readonly mode = 'inline';
  readonly overflowedCount = 0;
  private readonly batcher: AccessLogBatcher;

  constructor(options: { producer: Producer; gatewayId: string }) {
    this.batcher = new AccessLogBatcher(options);
  }

  get droppedCount(): number {
    return this.batcher.droppedCount;
  }

  get sentCount(): number {
    return this.batcher.sentCount;
  }

  write(entry: AccessLogEntry): void {
    this.batcher.add(entry);
  }

  flush(): Promise<void> {
    return this.batcher.flush();
  }

  close(): Promise<void> {
    return this.batcher.close();
  }
}

/** Entries per hand-over to the worker, and the longest an entry waits for one. */
const HAND_OVER_ENTRIES = 256;
const HAND_OVER_MS = 10;
/**
 * Entries handed to the worker and not yet taken by it (a few seconds of a busy gateway's traffic).
 * The worker may run at a lower priority than the request thread; when the machine is too busy to
 * give it the time it needs, the request thread produces the excess itself rather than queue without bound.
 */
export const MAX_PENDING_ENTRIES = 32_768;

/** The compiled worker beside this file; absent when the sources run under ts-jest. */
export const ACCESS_LOG_WORKER_FILE = join(__dirname, 'access-log.worker.js');

export function workerAvailable(): boolean {
  return existsSync(ACCESS_LOG_WORKER_FILE);
}

export interface WorkerAccessLogSinkOptions {
  data: Omit<AccessLogWorkerData, 'pending'>;
  logger: PinoLogger;
  /** Produces in the request thread: what the worker is too far behind to take, and everything once the worker is gone. */
  inThread: () => AccessLogSink;
  workerFile?: string;
  maxPendingEntries?: number;
}

/**
 * Hands entries to a worker thread that builds and produces the records: the request thread only
 * appends a dozen primitives to an array, and posts the array every few milliseconds.
 */
export class WorkerAccessLogSink implements AccessLogSink {
  private readonly worker: Worker;
  private batch: PackedValue[] = [];
  private readonly table = new StringTable();
  private timer: NodeJS.Timeout | null = null;
  /** Entries posted to the worker and not yet taken: the request thread adds, the worker subtracts. */
  private readonly pending = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  private readonly maxPending: number;
  private fallback: AccessLogSink | null = null;
  private overflowed = 0;
  private dropped = 0;
  private sent = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();
  private exited = false;
  private closing = false;

  constructor(private readonly options: WorkerAccessLogSinkOptions) {
    this.maxPending = options.maxPendingEntries ?? MAX_PENDING_ENTRIES;
    const workerData: AccessLogWorkerData = { ...options.data, pending: this.pending };
    this.worker = new Worker(options.workerFile ?? ACCESS_LOG_WORKER_FILE, { workerData });
    this.worker.on('message', (message: FromAccessLogWorker) => {
      this.dropped = message.dropped;
      this.sent = message.sent;
      if (message.type === 'done') this.settle(message.id);
    });
    this.worker.on('error', (error) => options.logger.error({ err: error }, 'access-log worker failed'));
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const id of [...this.waiting.keys()]) this.settle(id);
      if (this.closing) return;
      options.logger.error({ code }, 'access-log worker exited: producing access logs in the request thread from now on');
      // What was handed over and never taken is gone with the worker.
      this.dropped += Atomics.exchange(this.pending, 0, 0);
    });
  }

  get mode(): 'worker' | 'inline' {
    return this.exited ? 'inline' : 'worker';
  }

  get droppedCount(): number {
    return this.dropped + (this.fallback?.droppedCount ?? 0);
  }

  /** The worker's as of its last report (it reports every second), plus the request thread's. */
  get sentCount(): number {
    return this.sent + (this.fallback?.sentCount ?? 0);
  }

  /** Entries the request thread produced itself because the worker was too far behind. */
  get overflowedCount(): number {
    return this.overflowed;
  }

  write(entry: AccessLogEntry): void {
    if (this.exited) return this.inThread().write(entry);
    packEntry(this.batch, entry, this.table);
    if (this.batch.length >= HAND_OVER_ENTRIES * PACKED_FIELDS) this.handOver();
    else if (this.timer === null) this.timer = setTimeout(this.handOver, HAND_OVER_MS);
  }

  async flush(): Promise<void> {
    this.handOver();
    await Promise.all([this.ask('flush'), this.fallback?.flush()]);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handOver();
    await Promise.all([this.ask('close'), this.fallback?.close()]);
    await this.worker.terminate();
  }

  private readonly handOver = (): void => {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const entries = batch.length / PACKED_FIELDS;
    const strings = this.table.takeNew();
    const restart = this.table.full;
    if (this.exited || Atomics.load(this.pending, 0) + entries > this.maxPending) {
      const sink = this.inThread();
      for (let offset = 0; offset < batch.length; offset += PACKED_FIELDS) sink.write(unpackEntry(batch, offset, this.table.strings));
      if (!this.exited) {
        this.overflowed += entries;
        // The worker's table must keep up with this one even when the entries stay here.
        if (strings.length > 0 || restart) this.post({ type: 'entries', batch: [], strings, restart });
      }
    } else {
      Atomics.add(this.pending, 0, entries);
      this.post({ type: 'entries', batch, strings, restart });
    }
    if (restart) this.table.clear();
  };

  private inThread(): AccessLogSink {
    this.fallback ??= this.options.inThread();
    return this.fallback;
  }

  private ask(type: 'flush' | 'close'): Promise<void> {
    if (this.exited) return Promise.resolve();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ type, id });
    });
  }

  private settle(id: number): void {
    this.waiting.get(id)?.();
    this.waiting.delete(id);
  }

  private post(message: ToAccessLogWorker): void {
    this.worker.postMessage(message);
  }
}
