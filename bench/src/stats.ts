/** Percentile of an unsorted sample (nearest-rank). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** The middle of a sample (the mean of the two middle values when the count is even); NaN when empty. */
export function median(samples: number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A target against a reference, round by round: when each round measures both close together, a slow
 * minute on a shared machine lands on both and cancels out of the pair.
 */
export function pairedRounds(
  target: ReadonlyArray<{ rps: number; p99Ms: number }>,
  reference: ReadonlyArray<{ rps: number; p99Ms: number }>,
): { ratios: number[]; p99DeltasMs: number[] } {
  if (target.length !== reference.length) throw new Error(`paired rounds differ in number: ${target.length} against ${reference.length}`);
  return {
    ratios: target.map((round, i) => round.rps / reference[i].rps),
    p99DeltasMs: target.map((round, i) => round.p99Ms - reference[i].p99Ms),
  };
}
