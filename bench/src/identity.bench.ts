import { randomUUID } from 'node:crypto';
import { Cluster, OktaStandIn, TestUpstream } from '@attest/testing';
import { fmt, percentile } from './stats';

/**
 * Identity benchmarks against the Okta stand-in with the real SDK inside identity-sync:
 * full-sync throughput (10,000 users, 500 groups) under Okta's 600 requests/minute budget for
 * /users, and deactivation-to-denial latency: from the Event Hook delivery to the gateway's 401.
 */
export async function runIdentityBench(options: { databaseUrl: string; brokers: string; deactivations: number }): Promise<void> {
  const okta = new OktaStandIn({ token: `okta-${randomUUID()}` });
  await okta.start();
  const upstream = await new TestUpstream().start();
  const adminToken = `bench-${randomUUID()}`;
  const hookSecret = `hook-${randomUUID()}`;
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const cluster = new Cluster({
    databaseUrl: options.databaseUrl,
    brokers: options.brokers,
    adminToken,
    env: {
      LOG_LEVEL: 'warn',
      // Consumer groups of its own, started at the topics' ends (the bench runs with KAFKA_CONSUMER_START=latest):
      // under the run's shared prefix, this cluster's usage-ingest would resume where the first cluster's
      // stopped and count the usage-ingest section's 800,000 synthetic events while the sync is measured.
      KAFKA_GROUP_PREFIX: `${process.env.KAFKA_GROUP_PREFIX ?? 'attest-bench'}-identity`,
      OKTA_ORG_URL: okta.url,
      OKTA_API_TOKEN: okta.token,
      OKTA_EVENT_HOOK_SECRET: hookSecret,
      OKTA_SYNC_ON_START: 'false',
      OKTA_LOG_POLL_INTERVAL_MS: '600000',
    },
  });
  try {
    await cluster.start();
    const sync = cluster.url('identity-sync');
    const enforcement = cluster.url('enforcement');

    // 1. Deactivation → denial.
    await okta.registerEventHook({ url: `${sync}/v1/hooks/okta`, authHeaderName: 'authorization', authHeaderValue: hookSecret });
    const basePath = `/idbench-${randomUUID().slice(0, 8)}`;
    const api = await post<{ id: string }>(`${enforcement}/v1/apis`, admin, {
      name: 'identity bench',
      basePath,
      upstreamUrl: upstream.url,
      ownerEmail: 'owner@example.com',
      routes: [{ method: 'GET', path: '/ping', scope: 'ping' }],
    });
    const latencies: number[] = [];
    for (let i = 0; i < options.deactivations; i++) {
      const joined = okta.addUser({ profile: { firstName: 'Bench', lastName: `Leaver${i}x${randomUUID().slice(0, 4)}` } });
      await okta.deliverEventHook(joined.events);
      const principal = await poll(async () => {
        const response = await fetch(`${enforcement}/v1/principals?email=${encodeURIComponent(joined.user.profile.email)}`, { headers: admin });
        return ((await response.json()) as { items: Array<{ id: string }> }).items[0];
      }, 30_000);
      await post(`${enforcement}/v1/grants`, admin, { principalId: principal.id, apiId: api.id, scopes: ['ping'] });
      const key = await post<{ key: string }>(`${enforcement}/v1/keys`, admin, { principalId: principal.id, name: 'bench' });
      const call = async () => (await fetch(`${cluster.url('gateway')}${basePath}/ping`, { headers: { authorization: `Bearer ${key.key}` } })).status;
      await poll(async () => ((await call()) === 200 ? true : undefined), 30_000);
      const t0 = performance.now();
      const delivery = await okta.deliverEventHook(okta.setStatus(joined.user.id, 'DEPROVISIONED').events);
      if (delivery.status !== 200) throw new Error(`hook delivery answered ${delivery.status}`);
      await poll(async () => ((await call()) === 401 ? true : undefined), 30_000, 2);
      latencies.push(performance.now() - t0);
    }
    console.log(`\n== Okta deactivation (Event Hook delivered) → gateway 401 (${latencies.length} users)`);
    console.log(`p50 ${fmt(percentile(latencies, 50))} ms   p99 ${fmt(percentile(latencies, 99))} ms   max ${fmt(Math.max(...latencies))} ms`);
    // 2. Full sync throughput, after the deactivations: its 20,000 identity events would queue ahead of them.
    okta.seed({ users: 10_000, groups: 500 });
    okta.rateLimit({ limit: 600, windowSeconds: 60 });
    const started = await fetch(`${sync}/v1/sync`, { method: 'POST', headers: admin, body: JSON.stringify({ fresh: true }) });
    if (started.status !== 202) throw new Error(`full sync did not start: ${started.status} ${await started.text()}`);
    const run = await poll(async () => {
      const status = (await (await fetch(`${sync}/v1/sync/status`, { headers: admin })).json()) as {
        status: string;
        lastRun: { status: string; durationMs: number; counts: { users: number }; pages: number; rateLimit: { waited429: number; pauses: number } } | null;
      };
      return status.status !== 'running' && status.lastRun && status.lastRun.status !== 'running' ? status.lastRun : undefined;
    }, 600_000);
    console.log(`\n== Okta full sync (10,000 users, 500 groups, budget 600 requests/min)`);
    console.log(
      `${run.counts.users} users in ${fmt(run.durationMs / 1000)} s = ${fmt(run.counts.users / (run.durationMs / 1000), 0)} users/s; ${run.pages} pages, ${run.rateLimit.pauses} budget pauses, ${run.rateLimit.waited429} 429s waited (run ${run.status})`,
    );

  } finally {
    await cluster.stop();
    await upstream.stop();
    await okta.stop();
  }
}

async function post<T = unknown>(url: string, headers: Record<string, string>, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function poll<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('benchmark step timed out');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
