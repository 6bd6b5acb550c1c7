import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Pool } from 'undici';
import { Cluster } from '@attest/testing';
import { liveRateFromGatewayPeak, runGatewayLoad } from './gateway-load';
import { runIdentityBench } from './identity.bench';
import { benchUsageIngest, formatUsageIngestBench, usageIngestBenchOptions } from './usage-ingest.bench';
import { measure, LoadResult } from './load';
import { fmt, percentile } from './stats';

/**
 * `npm run bench`: the gateway under wrk load beside nginx and a bare Node proxy, decision-to-403
 * propagation latency over real processes, and the gateway's overhead against calling the same
 * upstream directly, measured side by side in one run. BENCH_ONLY=gateway-load runs the first alone;
 * BENCH_ONLY=usage-ingest and BENCH_ONLY=identity run those benchmarks alone.
 */
const ADMIN_TOKEN = `bench-${randomUUID()}`;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 200);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

async function post<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'POST', headers: admin, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => null)) as T };
}

async function startUpstream(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [resolve(__dirname, 'upstream.main.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(/listening (\d+)/.exec(chunk.toString())![1]);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'usage-ingest') {
    for (const line of formatUsageIngestBench(await benchUsageIngest(usageIngestBenchOptions(ADMIN_TOKEN)))) console.log(line);
    return;
  }
  if (process.env.BENCH_ONLY === 'identity') {
    await runIdentityBench({ databaseUrl: process.env.DATABASE_URL!, brokers: process.env.KAFKA_BROKERS!, deactivations: Number(process.env.BENCH_DEACTIVATIONS ?? 50) });
    return;
  }
  // First, while no other service runs: the load section's numbers should not share the CPU with a cluster.
  const loads = await runGatewayLoad({
    brokers: process.env.KAFKA_BROKERS!,
    seconds: Number(process.env.BENCH_GATEWAY_SECONDS ?? 20),
    warmUpSeconds: Number(process.env.BENCH_WARM_UP_SECONDS ?? 6),
    leadInSeconds: Number(process.env.BENCH_LEAD_IN_SECONDS ?? 1),
    connections: CONNECTIONS,
    threads: 2,
    rounds: Number(process.env.BENCH_GATEWAY_ROUNDS ?? 5),
    baselineGatewayMain: process.env.BENCH_BASELINE_GATEWAY_MAIN,
    variantEnv: process.env.BENCH_GATEWAY_VARIANT_ENV,
    inlineLogTarget: process.env.BENCH_GATEWAY_INLINE_LOG !== '0',
    freshProcesses: process.env.BENCH_GATEWAY_FRESH !== '0',
  });
  if (process.env.BENCH_ONLY === 'gateway-load') return;
  const upstream = await startUpstream();
  const cluster = new Cluster({
    databaseUrl: process.env.DATABASE_URL!,
    brokers: process.env.KAFKA_BROKERS!,
    adminToken: ADMIN_TOKEN,
    env: { LOG_LEVEL: 'warn' },
  });
  try {
    await cluster.start();
    const enforcement = cluster.url('enforcement');
    const gateway = cluster.url('gateway');
    const basePath = `/bench-${randomUUID().slice(0, 8)}`;
    const api = await post<{ id: string }>(`${enforcement}/v1/apis`, {
      name: 'bench',
      basePath,
      upstreamUrl: upstream.url,
      ownerEmail: 'owner@example.com',
      routes: [{ method: 'GET', path: '/items/:id', scope: 'items:read' }],
    });

    console.log(`\nsetting up ${REVOCATIONS} principals, grants and keys...`);
    const subjects: Array<{ grantId: string; key: string }> = [];
    for (let i = 0; i < REVOCATIONS + 1; i++) {
      const principal = await post<{ id: string }>(`${enforcement}/v1/principals`, { type: 'service', displayName: `bench-${i}` });
      const grant = await post<{ id: string }>(`${enforcement}/v1/grants`, { principalId: principal.body.id, apiId: api.body.id, scopes: ['items:read'] });
      const key = await post<{ key: string }>(`${enforcement}/v1/keys`, { principalId: principal.body.id, name: 'bench' });
      subjects.push({ grantId: grant.body.id, key: key.body.key });
    }
    const gatewayPool = new Pool(gateway, { connections: 4 });
    const statusOf = async (key: string) => {
      const response = await gatewayPool.request({ method: 'GET', path: `${basePath}/items/1`, headers: { authorization: `Bearer ${key}` } });
      await response.body.dump();
      return response.statusCode;
    };
    for (const subject of subjects) await until(async () => ((await statusOf(subject.key)) === 200 ? true : undefined), 'keys to work');

    // 1. Propagation: from the 202 that accepts a revoke decision to the gateway's first 403.
    const latencies: number[] = [];
    for (const subject of subjects.slice(0, REVOCATIONS)) {
      const accepted = await until(async () => {
        const result = await post(`${cluster.url('review-scheduler')}/v1/decisions`, {
          grantId: subject.grantId,
          decision: 'revoke',
          reviewer: 'bench@example.com',
          reason: 'benchmark',
        });
        return result.status === 202 ? performance.now() : undefined;
      }, 'decision accepted');
      await until(async () => ((await statusOf(subject.key)) === 403 ? true : undefined), 'the 403', 10000);
      latencies.push(performance.now() - accepted);
    }
    await gatewayPool.close();

    // 2. Overhead: the same upstream, direct and through the gateway, same load, same run.
    const keep = subjects[REVOCATIONS];
    const load = { connections: CONNECTIONS, seconds: LOAD_SECONDS, expectStatus: 200 };
    await measure({ name: 'warm-up', origin: gateway, path: `${basePath}/items/1`, headers: { authorization: `Bearer ${keep.key}` }, ...load, seconds: 1 });
    const direct = await measure({ name: 'upstream direct', origin: upstream.url, path: '/items/1', ...load });
    const viaGateway = await measure({
      name: 'through gateway',
      origin: gateway,
      path: `${basePath}/items/1`,
      headers: { authorization: `Bearer ${keep.key}` },
      ...load,
    });

    console.log(`\n== decision accepted → gateway 403 (${latencies.length} revocations)`);
    console.log(`p50 ${fmt(percentile(latencies, 50))} ms   p99 ${fmt(percentile(latencies, 99))} ms   max ${fmt(Math.max(...latencies))} ms`);
    console.log(`\n== gateway overhead (${CONNECTIONS} connections, ${LOAD_SECONDS}s each, load generated in one Node process)`);
    printTable([direct, viaGateway]);
    console.log(
      `gateway/direct: throughput ${fmt(viaGateway.rps / direct.rps)}x, p50 +${fmt(viaGateway.p50Ms - direct.p50Ms)} ms, p99 +${fmt(viaGateway.p99Ms - direct.p99Ms)} ms`,
    );
  } finally {
    await cluster.stop();
    await upstream.stop();
  }

  // Each of these starts the processes it needs, after the cluster above has stopped.
  const usage = usageIngestBenchOptions(ADMIN_TOKEN);
  // Unless set, the live phase runs at least at the gateway's peak in this run's load section: what one gateway emits, usage-ingest must absorb.
  if (process.env.BENCH_USAGE_LIVE_RATE === undefined) {
    const floor = usage.liveRate ?? 0;
    usage.liveRate = liveRateFromGatewayPeak(loads, floor);
    console.log(`\nusage-ingest: live rate ${usage.liveRate.toLocaleString()} events/s, the gateway's peak over a round above rounded up to a thousand, or ${floor.toLocaleString()} if higher`);
  }
  for (const line of formatUsageIngestBench(await benchUsageIngest(usage))) console.log(line);
  await runIdentityBench({
    databaseUrl: process.env.DATABASE_URL!,
    brokers: process.env.KAFKA_BROKERS!,
    deactivations: Number(process.env.BENCH_DEACTIVATIONS ?? 50),
  });
}

function printTable(results: LoadResult[]): void {
  console.log(`${'target'.padEnd(18)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'errors'.padStart(8)}`);
  for (const r of results) {
    console.log(`${r.name.padEnd(18)}${fmt(r.rps, 0).padStart(10)}${fmt(r.p50Ms).padStart(10)}${fmt(r.p99Ms).padStart(10)}${String(r.errors).padStart(8)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
