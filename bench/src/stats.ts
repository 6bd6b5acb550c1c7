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

/** A latency distribution as points `[percent, ms]`, by rising percent, from 0 (the minimum) to 100 (the maximum). */
export type LatencyQuantiles = ReadonlyArray<readonly [percent: number, ms: number]>;

/** The latency below which `percent` of the requests fall, between the distribution's points. */
export function quantileAt(quantiles: LatencyQuantiles, percent: number): number {
  for (let k = 1; k < quantiles.length; k++) {
    const [p1, ms1] = quantiles[k];
    if (p1 < percent) continue;
    const [p0, ms0] = quantiles[k - 1];
    return p1 === p0 ? ms1 : ms0 + ((ms1 - ms0) * (percent - p0)) / (p1 - p0);
  }
  return quantiles[quantiles.length - 1][1];
}

/** The percent of requests at or below `ms`, between the distribution's points. */
function shareAtOrBelow(quantiles: LatencyQuantiles, ms: number): number {
  const last = quantiles.length - 1;
  if (ms < quantiles[0][1]) return 0;
  if (ms >= quantiles[last][1]) return 100;
  // The last point at or below `ms`; the one after it lies above.
  let k = last - 1;
  while (quantiles[k][1] > ms) k--;
  const [[p0, ms0], [p1, ms1]] = [quantiles[k], quantiles[k + 1]];
  return p0 + ((p1 - p0) * (ms - ms0)) / (ms1 - ms0);
}

/**
 * The distribution of all the requests of several runs together, each run weighing as many requests
 * as it served, read at `percents` (with 0 and 100): the pooled 99th percentile is the latency 99% of
 * all those requests stayed under. A mean of the runs' own 99th percentiles is not a percentile of
 * anything, and one run's stall of a few ms moves it by that stall times the run's weight.
 */
export function mixQuantiles(runs: ReadonlyArray<{ requests: number; quantiles: LatencyQuantiles }>, percents: readonly number[]): LatencyQuantiles {
  const total = runs.reduce((sum, run) => sum + run.requests, 0);
  if (total === 0) throw new Error('mixQuantiles: no requests to pool');
  const share = (ms: number) => runs.reduce((sum, run) => sum + run.requests * shareAtOrBelow(run.quantiles, ms), 0) / total;
  const lowest = Math.min(...runs.map((run) => run.quantiles[0][1]));
  const highest = Math.max(...runs.map((run) => run.quantiles[run.quantiles.length - 1][1]));
  const at = (percent: number): number => {
    let [low, high] = [lowest, highest];
    for (let i = 0; i < 100 && high - low > 1e-9; i++) {
      const middle = (low + high) / 2;
      if (share(middle) < percent) low = middle;
      else high = middle;
    }
    return high;
  };
  return [[0, lowest], ...percents.filter((p) => p > 0 && p < 100).map((p): [number, number] => [p, at(p)]), [100, highest]];
}
