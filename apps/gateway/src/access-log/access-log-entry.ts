import { AccessLogCall, AccessOutcome, StringNumbering } from '@attest/contracts';

/** One answered request, as the request thread knows it: raw values, formatted only when produced (the contract's `AccessLogCall`). */
export type AccessLogEntry = AccessLogCall;

/** Values per entry in a packed batch. */
export const PACKED_FIELDS = 12;

/** A packed batch's values: the request id and path as strings, every other string as its number in a `StringTable`. */
export type PackedValue = string | number;

/** Past this many numbered strings, the table starts over (the worker's with it), so key churn cannot grow it without bound. */
export const MAX_TABLE_STRINGS = 65_536;

/**
 * Numbers the strings that repeat from entry to entry (methods, outcomes, ids, routes), so that a
 * hand-over carries each of them once instead of once per entry: a packed entry is then two strings
 * and ten numbers. The request thread spends about what it did (its map lookups cost what copying
 * the strings did); the worker no longer reads seven new strings per entry, nor hashes them again to
 * number them in its own messages. The worker keeps the same table from the strings each hand-over
 * brings (`takeNew`).
 */
export class StringTable extends StringNumbering {
  private handedOver = 0;

  /** The strings numbered since the last call, in order: what the next hand-over must carry. */
  takeNew(): string[] {
    const fresh = this.strings.slice(this.handedOver);
    this.handedOver = this.strings.length;
    return fresh;
  }

  /** Whether the table should start over once the entries already packed against it are handed over. */
  get full(): boolean {
    return this.strings.length > MAX_TABLE_STRINGS;
  }

  override clear(): void {
    super.clear();
    this.handedOver = 0;
  }
}

/** Appends an entry to a flat batch, so a batch crosses to the worker as one array of primitives. */
export function packEntry(batch: PackedValue[], entry: AccessLogEntry, table: StringTable): void {
  batch.push(
    entry.requestId,
    entry.atMs,
    table.ref(entry.method),
    entry.path,
    entry.status,
    table.ref(entry.outcome),
    entry.latencyMs,
    table.ref(entry.apiId),
    table.ref(entry.route),
    table.ref(entry.keyId),
    table.ref(entry.principalId),
    table.ref(entry.grantId),
  );
}

/** The string numbered `index`; null for -1. */
function named(strings: readonly string[], index: number): string | null {
  return index === -1 ? null : strings[index];
}

/** The entry packed at `offset`, read back with the strings its numbers refer to. */
export function unpackEntry(batch: readonly PackedValue[], offset: number, strings: readonly string[]): AccessLogEntry {
  return {
    requestId: batch[offset] as string,
    atMs: batch[offset + 1] as number,
    method: strings[batch[offset + 2] as number],
    path: batch[offset + 3] as string,
    status: batch[offset + 4] as number,
    outcome: strings[batch[offset + 5] as number] as AccessOutcome,
    latencyMs: batch[offset + 6] as number,
    apiId: named(strings, batch[offset + 7] as number),
    route: named(strings, batch[offset + 8] as number),
    keyId: named(strings, batch[offset + 9] as number),
    principalId: named(strings, batch[offset + 10] as number),
    grantId: named(strings, batch[offset + 11] as number),
  };
}
