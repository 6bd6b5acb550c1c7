import { AccessLogEntryRecord, AccessOutcome } from '@attest/contracts';
import type { IsoClock } from '@attest/messaging';

/** One answered request, as the request thread knows it: raw values, formatted only when produced. */
export interface AccessLogEntry {
  requestId: string;
  /** Epoch milliseconds when the request arrived. */
  atMs: number;
  method: string;
  path: string;
  status: number;
  outcome: AccessOutcome;
  latencyMs: number;
  apiId: string | null;
  route: string | null;
  keyId: string | null;
  principalId: string | null;
  grantId: string | null;
}

/** Values per entry in a packed batch. */
export const PACKED_FIELDS = 12;

export type PackedValue = string | number | null;

/** Appends an entry to a flat batch, so a batch crosses to the worker as one array of primitives. */
export function packEntry(batch: PackedValue[], entry: AccessLogEntry): void {
  batch.push(
    entry.requestId,
    entry.atMs,
    entry.method,
    entry.path,
    entry.status,
    entry.outcome,
    entry.latencyMs,
    entry.apiId,
    entry.route,
    entry.keyId,
    entry.principalId,
    entry.grantId,
  );
}

/** The entry packed at `offset`, read back. */
export function unpackEntry(batch: readonly PackedValue[], offset: number): AccessLogEntry {
  return {
    requestId: batch[offset] as string,
    atMs: batch[offset + 1] as number,
    method: batch[offset + 2] as string,
    path: batch[offset + 3] as string,
    status: batch[offset + 4] as number,
    outcome: batch[offset + 5] as AccessOutcome,
    latencyMs: batch[offset + 6] as number,
    apiId: batch[offset + 7] as string | null,
    route: batch[offset + 8] as string | null,
    keyId: batch[offset + 9] as string | null,
    principalId: batch[offset + 10] as string | null,
    grantId: batch[offset + 11] as string | null,
  };
}

/** An entry as a `gateway.access-log.v2` record (the message names the gateway once for all its records). */
export function toAccessLogEntryRecord(entry: AccessLogEntry, clock: IsoClock): AccessLogEntryRecord {
  return {
    requestId: entry.requestId,
    at: clock.format(entry.atMs),
    method: entry.method,
    path: entry.path,
    status: entry.status,
    outcome: entry.outcome,
    latencyMs: entry.latencyMs,
    apiId: entry.apiId,
    route: entry.route,
    keyId: entry.keyId,
    principalId: entry.principalId,
    grantId: entry.grantId,
  };
}
