import { mkdirSync } from 'node:fs';

/**
 * Node options for a measured process: with BENCH_CPU_PROF=<folder>, it writes a V8 CPU profile
 * there when it stops, named after it, to be opened in Chrome's DevTools or summarised by script.
 */
export function profiling(name: string): string[] {
  const folder = process.env.BENCH_CPU_PROF;
  if (!folder) return [];
  mkdirSync(folder, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${folder}`, `--cpu-prof-name=${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`];
}
