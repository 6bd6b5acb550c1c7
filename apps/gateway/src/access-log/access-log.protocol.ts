import { PackedValue } from './access-log-entry';

/** What the worker needs to produce on its own: it shares no objects with the request thread. */
export interface AccessLogWorkerData {
  brokers: string[];
  gatewayId: string;
  logLevel: string;
  /** Records per `gateway.access-log.v3` message, and how long a record waits for others; the batcher's defaults unless a test sets them. */
  maxRecords?: number;
  lingerMs?: number;
  /** The nice value the worker gives its own thread (0 = the request thread's priority). */
  nice: number;
  /** Entries handed over and not yet taken, over shared memory: the request thread adds, the worker subtracts. */
  pending: Int32Array;
}

/** Request thread → worker. */
export type ToAccessLogWorker =
  | {
      type: 'entries';
      batch: PackedValue[];
      /** Strings the request thread's table numbered since the last hand-over, in order: the worker's table grows by them before reading the batch. */
      strings: string[];
      /** The table starts over after this batch, on both sides. */
      restart: boolean;
    }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };

/** Worker → request thread: answers to `flush`/`close`, and counters now and then. */
export type FromAccessLogWorker =
  | { type: 'done'; id: number; sent: number; dropped: number }
  | { type: 'stats'; sent: number; dropped: number };
