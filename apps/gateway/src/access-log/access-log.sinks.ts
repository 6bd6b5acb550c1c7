import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Producer } from 'kafkajs';
import type { Logger as PinoLogger } from 'pino';
import { TOPICS } from '@attest/contracts';
import { BatchingPublisher, IsoClock } from '@attest/messaging';
import { AccessLogEntry, PACKED_FIELDS, PackedValue, packEntry, toAccessLogRecord } from './access-log-entry';
import { AccessLogWorkerData, FromAccessLogWorker, ToAccessLogWorker } from './access-log.protocol';

/** Where access-log entries go: produced in this thread, or handed to the producer thread. */
export interface AccessLogSink {
  readonly mode: 'worker' | 'inline';
  readonly droppedCount: number;
  /** Records the broker acknowledged. */
  readonly sentCount: number;
  write(entry: AccessLogEntry): void;
  /** Sends what is buffered; resolves once produced (or given up on). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const PRODUCER_BATCH = { maxBatch: 500, lingerMs: 50 };

/** Produces in the request thread; used where no compiled worker exists (tests running the sources). */
export class InlineAccessLogSink implements AccessLogSink {
  readonly mode = 'inline';
  private readonly publisher: BatchingPublisher<typeof TOPICS.accessLog>;
  private readonly clock = new IsoClock();

  constructor(private readonly options: { producer: Producer; gatewayId: string }) {
    this.publisher = new BatchingPublisher({ producer: options.producer, topic: TOPICS.accessLog, source: 'gateway', trustedPayloads: true, ...PRODUCER_BATCH });
  }

  get droppedCount(): number {
    return this.publisher.droppedCount;
  }

  get sentCount(): number {
    return this.publisher.sentCount;
  }

  write(entry: AccessLogEntry): void {
    this.publisher.publish(entry.keyId ?? entry.requestId, toAccessLogRecord({ entry, gatewayId: this.options.gatewayId, clock: this.clock }));
  }

  flush(): Promise<void> {
    return this.publisher.flush();
  }

  close(): Promise<void> {
    return this.publisher.close();
  }
}

/** Entries per hand-over to the worker, and the longest an entry waits for one. */
const HAND_OVER_ENTRIES = 256;
const HAND_OVER_MS = 10;

/** The compiled worker beside this file; absent when the sources run under ts-jest. */
export const ACCESS_LOG_WORKER_FILE = join(__dirname, 'access-log.worker.js');

export function workerAvailable(): boolean {
  return existsSync(ACCESS_LOG_WORKER_FILE);
}

/**
 * Hands entries to a worker thread that builds and produces the records: the request thread only
 * appends a dozen primitives to an array, and posts the array every few milliseconds.
 */
export class WorkerAccessLogSink implements AccessLogSink {
  readonly mode = 'worker';
  private readonly worker: Worker;
  private batch: PackedValue[] = [];
  private timer: NodeJS.Timeout | null = null;
  private dropped = 0;
  private sent = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();
  private exited = false;
  private closing = false;

  constructor(
    data: AccessLogWorkerData,
    private readonly logger: PinoLogger,
    /** Called if the worker dies on its own, so the service can produce in-thread instead. */
    private readonly onLost: () => void,
  ) {
    this.worker = new Worker(ACCESS_LOG_WORKER_FILE, { workerData: data });
    this.worker.on('message', (message: FromAccessLogWorker) => {
      this.dropped = message.dropped;
      this.sent = message.sent;
      if (message.type === 'done') this.settle(message.id);
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'access-log worker failed'));
    this.worker.on('exit', (code) => {
      this.exited = true;
      for (const id of [...this.waiting.keys()]) this.settle(id);
      if (this.closing) return;
      this.logger.error({ code }, 'access-log worker exited: producing access logs in the request thread from now on');
      this.onLost();
    });
  }

  get droppedCount(): number {
    return this.dropped;
  }

  /** As of the worker's last report (it reports every second). */
  get sentCount(): number {
    return this.sent;
  }

  write(entry: AccessLogEntry): void {
    packEntry(this.batch, entry);
    if (this.batch.length >= HAND_OVER_ENTRIES * PACKED_FIELDS) this.handOver();
    else if (this.timer === null) this.timer = setTimeout(this.handOver, HAND_OVER_MS);
  }

  flush(): Promise<void> {
    this.handOver();
    return this.ask('flush');
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handOver();
    await this.ask('close');
    await this.worker.terminate();
  }

  private readonly handOver = (): void => {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batch.length === 0 || this.exited) return;
    this.post({ type: 'entries', batch: this.batch });
    this.batch = [];
  };

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
