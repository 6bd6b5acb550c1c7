import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Node options for a measured process: with BENCH_CPU_PROF=<folder>, it writes V8 CPU profiles into a
 * folder named after it when it stops, one per thread (a worker's under its thread id), to be opened
 * in Chrome's DevTools or summarised by script.
 */
export function profiling(name: string): string[] {
  const folder = process.env.BENCH_CPU_PROF;
  if (!folder) return [];
  const dir = join(folder, name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''));
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
