import { PackedValue } from './access-log-entry';

/** What the worker needs to produce on its own: it shares no objects with the request thread. */
export interface AccessLogWorkerData {
  brokers: string[];
  gatewayId: string;
  logLevel: string;
  maxBatch: number;
  lingerMs: number;
}

/** Request thread → worker. */
export type ToAccessLogWorker =
  | { type: 'entries'; batch: PackedValue[] }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };

/** Worker → request thread: answers to `flush`/`close`, and counters now and then. */
export type FromAccessLogWorker =
  | { type: 'done'; id: number; sent: number; dropped: number }
  | { type: 'stats'; sent: number; dropped: number };
