import { LatencyQuantiles } from './stats';

/** What one `wrk --latency` run reported. */
export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers plus socket errors of every kind. */
  errors: number;
  /** Its latency distribution at `QUANTILE_PERCENTS` (from `QUANTILES_SCRIPT`), so runs can be pooled; absent without the script. */
  quantiles?: LatencyQuantiles;
}

/**
 * Where a run's latency distribution is read (besides its minimum and maximum): dense towards the
 * tail, so that the 99th percentile of several runs pooled falls between close points of each.
 */
export const QUANTILE_PERCENTS = [
  1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 91, 92, 93, 94, 95, 96, 97, 97.5, 98, 98.25, 98.5, 98.75, 99, 99.1, 99.2, 99.3, 99.4, 99.5,
  99.6, 99.7, 99.8, 99.9, 99.95, 99.99,
];

/** A wrk script that prints `quantile <percent> <µs>` for the run's minimum, each of `QUANTILE_PERCENTS` and its maximum. */
export const QUANTILES_SCRIPT = `done = function(summary, latency, requests)
  io.write(string.format("quantile 0 %d\\n", latency.min))
  for _, p in ipairs({ ${QUANTILE_PERCENTS.join(', ')} }) do
    io.write(string.format("quantile %g %d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("quantile 100 %d\\n", latency.max))
end
`;

function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`unrecognised wrk duration "${text}"`);
  const value = Number(match[1]);
  // Dividing keeps `950.00us` exactly 0.95 where multiplying by 0.001 would not.
  return match[2] === 'us' ? value / 1000 : match[2] === 'ms' ? value : match[2] === 's' ? value * 1000 : value * 60_000;
}

/** Parses wrk 4's text report (run with `--latency` so the percentile table is present). */
export function parseWrk(output: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  // wrk pads a unit to two characters: a latency in seconds reads `1.01s `.
  const p50 = /^\s+50%\s+(\S+)\s*$/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)\s*$/m.exec(output);
  if (!total || !rps || !p50 || !p99) throw new Error(`unrecognised wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const quantiles: LatencyQuantiles = [...output.matchAll(/^quantile ([\d.]+) (\d+)$/gm)].map((match) => [Number(match[1]), Number(match[2]) / 1000]);
  return {
    requests: Number(total[1]),
    seconds: durationMs(`${total[2]}${total[3]}`) / 1000,
    rps: Number(rps[1]),
    p50Ms: durationMs(p50[1]),
    p99Ms: durationMs(p99[1]),
    errors: (non2xx ? Number(non2xx[1]) : 0) + socketErrors,
    ...(quantiles.length > 0 ? { quantiles } : {}),
  };
}
