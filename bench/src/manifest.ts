import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DEPLOY_BASE = resolve(__dirname, '..', '..', 'deploy', 'base');

/**
 * The `NODE_OPTIONS` a service's Kubernetes manifest runs it with (its runtime tuning), or null: the
 * benchmarks run each service as it is deployed, from the one place that says how.
 */
export function manifestNodeOptions(app: string): string | null {
  const manifest = readFileSync(resolve(DEPLOY_BASE, `${app}.yaml`), 'utf8');
  return /\{\s*name:\s*NODE_OPTIONS,\s*value:\s*'([^']*)'\s*\}/.exec(manifest)?.[1] ?? null;
}

/** `NODE_OPTIONS` for a benchmarked process: the caller's own, then the manifest's ('' when neither says any). */
export function withManifestNodeOptions(app: string): string {
  return [process.env.NODE_OPTIONS, manifestNodeOptions(app)].filter(Boolean).join(' ');
}
