import { AccessLogCall, AccessOutcome } from '@attest/contracts';

/** One answered request, as the request thread knows it: raw values, formatted only when produced (the contract's `AccessLogCall`). */
export type AccessLogEntry = AccessLogCall;

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
