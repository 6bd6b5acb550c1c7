import { Pool } from 'undici';
import { percentile } from './stats';

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Closed-loop load from this process: `connections` workers each send one request, wait for the
 * answer, and send the next, for `seconds`. Every target is measured the same way in the same run.
 */
export async function measure(options: {
  name: string;
  origin: string;
  path: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  expectStatus: number;
}): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const response = await pool.request({ method: 'GET', path: options.path, headers: options.headers });
        await response.body.dump();
        if (response.statusCode !== options.expectStatus) errors++;
        else latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return {
    name: options.name,
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
