import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { CatalogState, EVENT_CONTRACTS, formatApiKey, PolicyState, Topic, TOPICS } from '@attest/contracts';
import { freePort } from '@attest/testing';
import { withManifestNodeOptions } from './manifest';
import { profiling } from './profiling';
import { fmt, median, mixQuantiles, pairedRounds, quantileAt } from './stats';
import { parseWrk, QUANTILE_PERCENTS, QUANTILES_SCRIPT, WrkResult } from './wrk';

/**
 * The gateway under load, side by side with what bounds it, in one run with `wrk` on loopback and the
 * same upstream (nginx answering a small body) behind every target:
 *   upstream direct · nginx proxy_pass (keep-alive) · a bare Node proxy · the gateway with its features.
 */
export interface GatewayLoadOptions {
  brokers: string;
  /** Measured seconds per target, split over `rounds`. */
  seconds: number;
  warmUpSeconds: number;
  /**
   * Unmeasured load run on a target just before each of its measured runs, which otherwise follow
   * seconds of idling: a Node process's first second of load after idling costs more CPU per request,
   * the gateway's more than the bare proxy's (the README gives the numbers). 0 measures runs cold.
   */
  leadInSeconds: number;
  connections: number;
  threads: number;
  /**
   * Targets are measured in turn, round after round, so a passing load on the machine spreads over all
   * of them; within a round each is measured twice, in order and in reverse, so a drift within the round falls on all.
   */
  rounds: number;
  /** Another build of the gateway (its dist/main.js) measured beside this one, for before/after comparisons. */
  baselineGatewayMain?: string;
  /**
   * Settings for one more gateway of this build measured beside the others, as `NAME=value` pairs
   * separated by spaces (e.g. `ACCESS_LOG_WORKER_NICE=0`); a `NODE_OPTIONS` value is added to the
   * deployed options (`NODE_OPTIONS=--max-old-space-size=256`).
   */
  variantEnv?: string;
  /** Also measure the gateway producing its access log in the request thread (off for quicker paired comparisons). */
  inlineLogTarget: boolean;
  /**
   * Start every Node target afresh before each round: two processes of one build differ by 8-15% in
   * CPU per request (JIT and inline-cache state, where the scheduler puts them), so each round samples a new one.
   */
  freshProcesses: boolean;
}

interface Target {
  name: string;
  url: string;
  /** A gateway's own origin, for its metrics. */
  gatewayOrigin?: string;
  headers?: Record<string, string>;
  /** The process whose CPU time is charged to each request, when it is a Node process of ours. */
  pid?: number;
  /** For our Node processes (`nodeTarget`): replaces the running one with a fresh one, updating url, origin and pid. */
  relaunch?: () => Promise<void>;
}

/** A gateway's access-log counts, summed over the processes that served its rounds. */
interface AccessLogCounts {
  answered: number;
  sent: number;
  dropped: number;
}

interface Measured extends WrkResult {
  name: string;
  /** The request-weighted mean of the 99th percentiles of the wrk runs combined into this one (what earlier versions reported as p99). */
  p99MeanMs: number;
  /** CPU time (user + system, every thread) the target process spent per answered request. */
  cpuUsPerRequest: number | null;
  /** The same for its main thread alone: the one that answers requests, and so bounds throughput. */
  mainThreadCpuUsPerRequest: number | null;
  /** How long its main thread waited, runnable, for a core (`schedstat`), per request: time lost to the other processes and threads. */
  mainThreadRunQueueUsPerRequest: number | null;
  /** The Kafka broker's CPU per request (the access log's cost on the broker side), when its pid is known. */
  brokerCpuUsPerRequest: number | null;
  /** Every process on the machine (wrk, nginx, the target, the broker), per request: what bounds throughput once the cores are busy. */
  machineCpuUsPerRequest: number | null;
  /** The target process's peak resident memory so far (VmHWM), in MiB, when it is a process of ours. */
  peakRssMb: number | null;
}

const ROOT = resolve(__dirname, '..', '..');
const WORK_DIR = resolve(ROOT, '.cache', 'bench', 'nginx');
/** The wrk script that prints each run's latency distribution (`QUANTILES_SCRIPT`), written once per bench run. */
const QUANTILES_SCRIPT_FILE = resolve(ROOT, '.cache', 'bench', 'wrk-quantiles.lua');
const UPSTREAM_BODY = '{"ok":true,"service":"bench-upstream"}';

/** `NAME=value NAME=value`; a value runs to the next ` NAME=`, so NODE_OPTIONS may hold several flags. */
export function variantSettings(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const match of text.trim().matchAll(/([A-Z][A-Z0-9_]*)=(.*?)(?=\s+[A-Z][A-Z0-9_]*=|$)/g)) settings[match[1]] = match[2];
  if (Object.keys(settings).length === 0) throw new Error(`BENCH_GATEWAY_VARIANT_ENV: expected NAME=value pairs, got ${JSON.stringify(text)}`);
  return settings;
}

/**
 * The order targets are measured in within a round, each twice: there and back (A B C C B A), with
 * nothing started in between. Targets measured side by side then share the machine's state, which
 * drifts over seconds to minutes (one bare proxy process, unchanged, served 7,400 to 13,900 req/s in
 * consecutive 3 s runs), and a steady drift within the round weighs on every target alike.
 *
 * The round's first target moves one place each round (B C A A C B next), so that the middle place,
 * the only one measured twice in a row, is every target's in turn rather than always the last one's
 * (a gateway kept there beat an identical one by 0.6 and 2.7 ms of p99 before runs had a lead-in).
 */
export function thereAndBack(count: number, round = 0): number[] {
  const there = Array.from({ length: count }, (_, i) => (round + i) % count);
  return [...there, ...[...there].reverse()];
}

/** A target of the load section, with the rate it answered at in each round. */
export interface TargetLoad {
  /** Whether it is one of the gateways (whose requests each become an access-log record). */
  gateway: boolean;
  roundRps: number[];
}

/**
 * The live phase's rate for usage-ingest's bench: the highest rate a gateway answered at over a
 * round of the load section, rounded up to a thousand, when that is above `floor`. What one gateway
 * can emit into the access log on this machine, usage-ingest must absorb.
 */
export function liveRateFromGatewayPeak(loads: readonly TargetLoad[], floor: number): number {
  const peak = Math.max(0, ...loads.filter((load) => load.gateway).flatMap((load) => load.roundRps));
  return Math.max(floor, Math.ceil(peak / 1000) * 1000);
}

export async function runGatewayLoad(options: GatewayLoadOptions): Promise<TargetLoad[]> {
  ensureTools();
  mkdirSync(dirname(QUANTILES_SCRIPT_FILE), { recursive: true });
  writeFileSync(QUANTILES_SCRIPT_FILE, QUANTILES_SCRIPT);
  const ports = { upstream: await freePort(), nginxProxy: await freePort(), bare: await freePort() };
  const stops: Array<() => Promise<void>> = [];
  try {
    stops.push(await startNginx(ports));
    const upstream = `http://127.0.0.1:${ports.upstream}`;
    const bare = await nodeTarget({
      name: 'bare Node proxy',
      launch: async () => ({ ...(await startBareProxy(upstream, ports.bare)), url: `http://127.0.0.1:${ports.bare}/items/1` }),
    });
    stops.push(bare.stop);
    const pepper = randomBytes(24).toString('base64url');
    // The gateway runs as its manifest runs it (runtime tuning included), and so does the bare proxy.
    const asDeployed = { NODE_OPTIONS: withManifestNodeOptions('gateway') };
    const gateways: Array<{ name: string; main: string; env: Record<string, string> }> = [
      { name: 'gateway (all features)', main: GATEWAY_MAIN, env: { ACCESS_LOG_MODE: 'worker', ...asDeployed } },
    ];
    if (options.inlineLogTarget) gateways.push({ name: 'gateway, log in-thread', main: GATEWAY_MAIN, env: { ACCESS_LOG_MODE: 'inline', ...asDeployed } });
    if (options.baselineGatewayMain) gateways.push({ name: 'gateway (baseline build)', main: options.baselineGatewayMain, env: { ACCESS_LOG_MODE: 'worker', ...asDeployed } });
    if (options.variantEnv) {
      const env = variantSettings(options.variantEnv);
      // On top of the deployed options, so the variant differs from the gateway above by its own settings alone.
      const nodeOptions = [asDeployed.NODE_OPTIONS, env.NODE_OPTIONS].filter(Boolean).join(' ');
      gateways.push({ name: `gateway ${options.variantEnv}`, main: GATEWAY_MAIN, env: { ACCESS_LOG_MODE: 'worker', ...env, NODE_OPTIONS: nodeOptions } });
    }
    const targets: Target[] = [
      { name: 'upstream direct (nginx)', url: `${upstream}/items/1` },
      { name: 'nginx proxy_pass', url: `http://127.0.0.1:${ports.nginxProxy}/items/1` },
      bare,
    ];
    // Started before the policy is published: on a fresh broker they create its topics.
    const first: Array<Awaited<ReturnType<typeof startGateway>>> = [];
    for (const variant of gateways) {
      const started = await startGateway({ ...variant, brokers: options.brokers, pepper });
      stops.push(started.stop);
      first.push(started);
    }
    const policy = await publishBenchPolicy({ brokers: options.brokers, upstream, pepper });
    /** A started gateway once the bench key works through it. */
    const serving = async (started: Awaited<ReturnType<typeof startGateway>>): Promise<Served> => {
      const url = `${started.url}${policy.path}`;
      await until(async () => (await fetch(url, { headers: policy.headers }).catch(() => null))?.status === 200, 'the bench key to work').catch(async (error: Error) => {
        await started.stop();
        throw error;
      });
      return { pid: started.pid, url, gatewayOrigin: started.url, stop: started.stop };
    };
    const accessLogs = new Map<Target, AccessLogCounts>();
    for (const [i, variant] of gateways.entries()) {
      const gateway = await nodeTarget({
        name: variant.name,
        headers: policy.headers,
        first: await serving(first[i]),
        launch: async () => serving(await startGateway({ ...variant, brokers: options.brokers, pepper })),
        // A process's access-log counts are read before it goes; the report sums them.
        retiring: async (target) => addCounts(accessLogs, target, await settledAccessLog(target)),
      });
      stops.push(gateway.stop);
      targets.push(gateway);
    }

    const warmUp = (target: Target) => wrk(target, { ...options, seconds: options.warmUpSeconds });
    for (const target of targets) await warmUp(target);
    const rounds: Measured[][] = targets.map(() => []);
    const halfSeconds = Math.max(1, Math.round(options.seconds / options.rounds / 2));
    for (let round = 0; round < options.rounds; round++) {
      if (options.freshProcesses && round > 0) {
        for (const target of targets) {
          if (target.relaunch === undefined) continue;
          await target.relaunch();
          await warmUp(target);
        }
      }
      const halves: Measured[][] = targets.map(() => []);
      for (const i of thereAndBack(targets.length, round)) {
        if (options.leadInSeconds > 0) await wrk(targets[i], { ...options, seconds: options.leadInSeconds });
        halves[i].push(await measureTarget(targets[i], { ...options, seconds: halfSeconds }));
      }
      halves.forEach((measured, i) => rounds[i].push(combine(measured)));
    }
    const results = rounds.map(combine);
    printReport(results, rounds, options);
    for (const target of targets) {
      if (target.gatewayOrigin === undefined) continue;
      addCounts(accessLogs, target, await settledAccessLog(target));
      const counts = accessLogs.get(target);
      // An older build does not export the counts.
      if (counts !== undefined) console.log(`${target.name}: access log ${counts.sent} of ${counts.answered} records produced, ${counts.dropped} dropped`);
    }
    return targets.map((target, i) => ({ gateway: target.gatewayOrigin !== undefined, roundRps: rounds[i].map((round) => round.rps) }));
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => console.error(`bench: stopping failed: ${error.message}`));
  }
}

/** One of our Node processes serving a target: where the load goes, and how to stop it. */
interface Served {
  pid: number;
  url: string;
  gatewayOrigin?: string;
  stop: () => Promise<void>;
}

/**
 * A target served by one Node process of ours at a time: `relaunch` stops the running one (after
 * `retiring` has read what it needs from it) and starts a fresh one; `stop` stops whichever runs.
 */
async function nodeTarget(options: {
  name: string;
  headers?: Record<string, string>;
  /** The process serving it at first, when already running; otherwise `launch` starts one. */
  first?: Served;
  launch: () => Promise<Served>;
  retiring?: (target: Target) => Promise<void>;
}): Promise<Target & { stop: () => Promise<void> }> {
  let served = options.first ?? (await options.launch());
  const target = {
    name: options.name,
    headers: options.headers,
    url: served.url,
    pid: served.pid,
    gatewayOrigin: served.gatewayOrigin,
    relaunch: async () => {
      await options.retiring?.(target);
      await served.stop();
      served = await options.launch();
      Object.assign(target, { url: served.url, pid: served.pid, gatewayOrigin: served.gatewayOrigin });
    },
    stop: () => served.stop(),
  };
  return target;
}

/** nginx and wrk are Debian packages; the bench installs them when missing (it runs as root on the bench machines). */
function ensureTools(): void {
  const missing = ['nginx', 'wrk'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return;
  console.log(`bench: installing ${missing.join(', ')} (apt-get)`);
  const install = () => spawnSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install().status === 0) return;
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  if (install().status !== 0) throw new Error(`could not install ${missing.join(', ')} with apt-get`);
}

/** One nginx (its own prefix and config under .cache/bench, never the system service) serving as upstream and as proxy. */
async function startNginx(ports: { upstream: number; nginxProxy: number }): Promise<() => Promise<void>> {
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(resolve(WORK_DIR, 'tmp'), { recursive: true });
  const conf = resolve(WORK_DIR, 'nginx.conf');
  const tmp = resolve(WORK_DIR, 'tmp');
  writeFileSync(
    conf,
    `worker_processes auto;
pid ${WORK_DIR}/nginx.pid;
error_log ${WORK_DIR}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 65s;
  upstream bench_upstream {
    server 127.0.0.1:${ports.upstream};
    keepalive 64;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${ports.upstream};
    default_type application/json;
    location / { return 200 '${UPSTREAM_BODY}'; }
  }
  server {
    listen 127.0.0.1:${ports.nginxProxy};
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const child = spawn('nginx', ['-p', WORK_DIR, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = once(child, 'exit');
  await until(async () => (await fetch(`http://127.0.0.1:${ports.upstream}/`).catch(() => null))?.status === 200, 'nginx to answer');
  return async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGQUIT');
    await exited;
  };
}

async function startBareProxy(upstream: string, port: number): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...profiling('bare-proxy'), resolve(__dirname, 'bare-proxy.main.js')], {
    // The same runtime settings as the gateway's, so the comparison prices the features and nothing else.
    env: { ...process.env, UPSTREAM_URL: upstream, PORT: String(port), NODE_OPTIONS: withManifestNodeOptions('gateway') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout!, 'data');
  return { pid: child.pid!, stop: () => stopChild(child) };
}

/** Stops a child and waits for it; one that already ended, by exit or by a signal, is left as it is (its 'exit' has fired). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const GATEWAY_MAIN = resolve(ROOT, 'apps', 'gateway', 'dist', 'main.js');

/**
 * A key that passes every feature on the hot path: key auth (HMAC), a route with a scope, a per-key
 * rate limit and a per-key-on-API quota far above what the run sends. Its policy is published straight
 * to the compacted topics, so this section needs no other service.
 */
async function publishBenchPolicy(options: { brokers: string; upstream: string; pepper: string }) {
  const { pepper } = options;
  const prefix = randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  const basePath = `/bench-gw-${randomUUID().slice(0, 8)}`;
  const api: CatalogState = {
    apiId: randomUUID(),
    name: 'gateway load benchmark',
    basePath,
    upstreamUrl: options.upstream,
    status: 'active',
    sunsetAt: null,
    version: 1,
    routes: [{ method: 'GET', path: '/items/:id', scope: 'items:read' }],
    rateLimit: null,
    quota: { perDay: 1_000_000_000, perMonth: null },
  };
  const principalId = randomUUID();
  const policy: PolicyState = {
    principalId,
    status: 'active',
    version: 1,
    keys: [
      {
        keyId: randomUUID(),
        prefix,
        secretHash: createHmac('sha256', pepper).update(secret).digest('hex'),
        status: 'active',
        expiresAt: null,
        apiIds: null,
        scopes: null,
        rateLimit: { requestsPerSecond: 10_000_000, burst: 10_000_000 },
        quota: null,
      },
    ],
    grants: [{ grantId: randomUUID(), apiId: api.apiId, scopes: ['items:read'] }],
  };
  const kafka = new Kafka({ clientId: 'bench-gateway-load', brokers: options.brokers.split(','), logLevel: logLevel.WARN });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic: TOPICS.catalogState, acks: -1, messages: [envelopeMessage(TOPICS.catalogState, api.apiId, api)] });
    await producer.send({ topic: TOPICS.policyState, acks: -1, messages: [envelopeMessage(TOPICS.policyState, principalId, policy)] });
  } finally {
    await producer.disconnect();
  }
  return { path: `${basePath}/items/1`, headers: { authorization: `Bearer ${formatApiKey({ prefix, secret })}` } };
}

/** A gateway process of the given build; spawned here rather than through the cluster helper so that any build can be measured. */
async function startGateway(options: { name: string; main: string; env: Record<string, string>; brokers: string; pepper: string }) {
  const port = await freePort();
  const child = spawn(process.execPath, [...profiling(options.name), options.main], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      KAFKA_BROKERS: options.brokers,
      API_KEY_PEPPER: options.pepper,
      GATEWAY_ID: `bench-gateway-${randomUUID().slice(0, 8)}`,
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}`);
      return (await fetch(`${url}/health/ready`).catch(() => null))?.status === 200;
    }, `${options.name} to be ready`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, stop };
}

function envelopeMessage(topic: Topic, key: string, data: unknown): { key: string; value: string } {
  const contract = EVENT_CONTRACTS[topic];
  const envelope = {
    id: randomUUID(),
    type: contract.type,
    version: contract.version,
    occurredAt: new Date().toISOString(),
    source: 'bench',
    subject: key,
    data,
  };
  return { key, value: JSON.stringify(envelope) };
}

async function measureTarget(target: Target, options: { seconds: number; connections: number; threads: number }): Promise<Measured> {
  const pid = target.pid;
  const broker = brokerPid();
  const before = pid === undefined ? null : processTimes(pid);
  const brokerBefore = broker === null ? null : cpuMs(`/proc/${broker}/stat`);
  const machineBefore = machineBusyMs();
  const result = await wrk(target, options);
  const after = pid === undefined ? null : processTimes(pid);
  const perRequest = (from: number | null | undefined, to: number | null | undefined) =>
    from === null || from === undefined || to === null || to === undefined || result.requests === 0 ? null : ((to - from) * 1000) / result.requests;
  return {
    name: target.name,
    ...result,
    p99MeanMs: result.p99Ms,
    cpuUsPerRequest: perRequest(before?.all, after?.all),
    mainThreadCpuUsPerRequest: perRequest(before?.main, after?.main),
    mainThreadRunQueueUsPerRequest: perRequest(before?.waited, after?.waited),
    brokerCpuUsPerRequest: broker === null ? null : perRequest(brokerBefore, cpuMs(`/proc/${broker}/stat`)),
    machineCpuUsPerRequest: perRequest(machineBefore, machineBusyMs()),
    peakRssMb: pid === undefined ? null : peakRssMb(pid),
  };
}

/** A process's CPU time so far (every thread, and its main thread alone), and how long its main thread waited for a core. */
function processTimes(pid: number): { all: number | null; main: number | null; waited: number | null } {
  const mainTask = `/proc/${pid}/task/${pid}`;
  return { all: cpuMs(`/proc/${pid}/stat`), main: cpuMs(`${mainTask}/stat`), waited: runQueueMs(`${mainTask}/schedstat`) };
}

/**
 * One target's rounds as one result: totals for counts and CPU, request-weighted means for CPU per
 * request, and the percentiles of all their requests pooled (the mean of their p99s beside it).
 */
function combine(rounds: Measured[]): Measured {
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  const weighted = (pick: (r: Measured) => number | null) =>
    rounds.some((r) => pick(r) === null) || requests === 0 ? null : rounds.reduce((sum, r) => sum + pick(r)! * r.requests, 0) / requests;
  const pooled =
    requests === 0 || rounds.some((r) => r.quantiles === undefined)
      ? undefined
      : mixQuantiles(
          rounds.map((r) => ({ requests: r.requests, quantiles: r.quantiles! })),
          QUANTILE_PERCENTS,
        );
  return {
    name: rounds[0].name,
    requests,
    seconds,
    rps: requests / seconds,
    // Pooled from each run's distribution; a mean of the runs' own where one has none.
    p50Ms: pooled === undefined ? weighted((r) => r.p50Ms)! : quantileAt(pooled, 50),
    p99Ms: pooled === undefined ? weighted((r) => r.p99Ms)! : quantileAt(pooled, 99),
    ...(pooled === undefined ? {} : { quantiles: pooled }),
    p99MeanMs: weighted((r) => r.p99MeanMs)!,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    cpuUsPerRequest: weighted((r) => r.cpuUsPerRequest),
    mainThreadCpuUsPerRequest: weighted((r) => r.mainThreadCpuUsPerRequest),
    mainThreadRunQueueUsPerRequest: weighted((r) => r.mainThreadRunQueueUsPerRequest),
    brokerCpuUsPerRequest: weighted((r) => r.brokerCpuUsPerRequest),
    machineCpuUsPerRequest: weighted((r) => r.machineCpuUsPerRequest),
    peakRssMb: rounds.some((r) => r.peakRssMb === null) ? null : Math.max(...rounds.map((r) => r.peakRssMb!)),
  };
}

async function wrk(target: Target, options: { seconds: number; connections: number; threads: number }): Promise<WrkResult> {
  const headerArgs = Object.entries(target.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', QUANTILES_SCRIPT_FILE, ...headerArgs, target.url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`wrk exited with ${code} against ${target.name}:\n${output}`);
  return parseWrk(output);
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** User + system CPU time so far of a process (`/proc/<pid>/stat`) or one of its threads (`/proc/<pid>/task/<tid>/stat`), Linux only. */
function cpuMs(statFile: string): number | null {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Time a thread has spent runnable but waiting for a core (`schedstat`'s second field, in ns), in ms; null where the kernel does not keep it. */
function runQueueMs(schedstatFile: string): number | null {
  try {
    const waitedNs = Number(readFileSync(schedstatFile, 'utf8').split(' ')[1]);
    return Number.isFinite(waitedNs) ? waitedNs / 1e6 : null;
  } catch {
    return null;
  }
}

/** Busy CPU time of the whole machine so far, every core (`/proc/stat`: all but idle and iowait), Linux only. */
function machineBusyMs(): number | null {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return ((user + nice + system + irq + softirq + (steal ?? 0)) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Peak resident set size of a process so far (`VmHWM` in `/proc/<pid>/status`), in MiB; Linux only. */
function peakRssMb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The broker `scripts/kafka.mjs` runs for this checkout, when it is the one serving the bench. */
function brokerPid(): number | null {
  try {
    const pid = Number(readFileSync(resolve(ROOT, '.cache', 'kafka', 'kafka.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && cpuMs(`/proc/${pid}/stat`) !== null ? pid : null;
  } catch {
    return null;
  }
}

function printReport(results: Measured[], rounds: Measured[][], options: GatewayLoadOptions): void {
  const indexOf = (prefix: string) => results.findIndex((r) => r.name.startsWith(prefix));
  const byName = (prefix: string) => results[indexOf(prefix)];
  const roundsOf = (prefix: string) => rounds[indexOf(prefix)];
  console.log(
    `\n== gateway under load (wrk -t${options.threads} -c${options.connections} --latency, loopback, same nginx upstream; ` +
      `${options.seconds}s per target in ${options.rounds} interleaved rounds, each there and back from a first target that moves each round, after ${options.warmUpSeconds}s warm-up, each run after ${options.leadInSeconds}s of unmeasured load` +
      `${options.freshProcesses ? ', every Node target a fresh process each round' : ''})`,
  );
  console.log(`gateways run with NODE_OPTIONS=${withManifestNodeOptions('gateway') || '(none)'} as deploy/base/gateway.yaml runs them, and so does the bare proxy`);
  const optional = (value: number | null, digits: number) => (value === null ? '' : fmt(value, digits));
  const columns: Array<[title: string, width: number, cell: (r: Measured) => string]> = [
    ['req/s', 10, (r) => fmt(r.rps, 0)],
    ['p50 ms', 9, (r) => fmt(r.p50Ms)],
    ['p99 ms', 9, (r) => fmt(r.p99Ms)],
    ['errors', 8, (r) => String(r.errors)],
    ['CPU µs/req', 12, (r) => optional(r.cpuUsPerRequest, 1)],
    ['main thread', 13, (r) => optional(r.mainThreadCpuUsPerRequest, 1)],
    ['waited', 8, (r) => optional(r.mainThreadRunQueueUsPerRequest, 1)],
    ['broker', 9, (r) => optional(r.brokerCpuUsPerRequest, 1)],
    ['machine', 9, (r) => optional(r.machineCpuUsPerRequest, 1)],
    ['peak RSS MiB', 14, (r) => optional(r.peakRssMb, 0)],
  ];
  console.log(`${'target'.padEnd(34)}${columns.map(([title, width]) => title.padStart(width)).join('')}`);
  for (const r of results) console.log(`${r.name.padEnd(34)}${columns.map(([, width, cell]) => cell(r).padStart(width)).join('')}`);
  const gateway = byName('gateway (all');
  const bare = byName('bare');
  const nginx = byName('nginx proxy');
  const direct = byName('upstream direct');
  console.log(
    `gateway/bare: throughput ${fmt(gateway.rps / bare.rps)}x, p99 ${signed(gateway.p99Ms - bare.p99Ms)} ms (target ≥ 0.90x, within 1 ms)`,
  );
  // Percentiles are of all the requests a target served, pooled; the mean of the runs' own p99s is what earlier versions printed.
  console.log(
    `  p99 of all requests pooled: bare ${fmt(bare.p99Ms)}, gateway ${fmt(gateway.p99Ms)} ms; ` +
      `mean of the ${options.rounds * 2} runs' own p99s: bare ${fmt(bare.p99MeanMs)}, gateway ${fmt(gateway.p99MeanMs)} ms (${signed(gateway.p99MeanMs - bare.p99MeanMs)} ms)`,
  );
  // In every round the bare proxy is measured just before the gateway, so the pair shares the machine's state.
  const [gatewayRounds, bareRounds] = [roundsOf('gateway (all'), roundsOf('bare')];
  const paired = pairedRounds(gatewayRounds, bareRounds);
  console.log(`  req/s per round: bare ${bareRounds.map((r) => fmt(r.rps, 0)).join(' ')}, gateway ${gatewayRounds.map((r) => fmt(r.rps, 0)).join(' ')}`);
  console.log(
    `  round by round: throughput ${paired.ratios.map((r) => fmt(r)).join(' ')} (median ${fmt(median(paired.ratios))}x), ` +
      `p99 ${paired.p99DeltasMs.map((d) => signed(d)).join(' ')} ms (median ${signed(median(paired.p99DeltasMs))} ms)`,
  );
  const busy = (r: Measured) => ({
    main: r.mainThreadCpuUsPerRequest === null ? '?' : `${fmt((r.mainThreadCpuUsPerRequest * r.rps) / 10_000, 0)}%`,
    machine: r.machineCpuUsPerRequest === null ? '?' : fmt((r.machineCpuUsPerRequest * r.rps) / 1_000_000),
  });
  // A main thread below 100% was waiting: for a core (the `waited` column), or on wrk or nginx, which share the cores with every other process.
  const [bareBusy, gatewayBusy] = [busy(bare), busy(gateway)];
  console.log(
    `  busy: main thread bare ${bareBusy.main}, gateway ${gatewayBusy.main} of a core; ` +
      `machine bare ${bareBusy.machine}, gateway ${gatewayBusy.machine} of ${availableParallelism()} cores`,
  );
  console.log(`bare/nginx proxy: throughput ${fmt(bare.rps / nginx.rps)}x   nginx proxy/direct: ${fmt(nginx.rps / direct.rps)}x`);
}

/**
 * A gateway process's access-log counts once its backlog has drained (the worker reports every
 * second), or null for an older build that does not export them.
 */
async function settledAccessLog(target: Target): Promise<AccessLogCounts | null> {
  const read = async () => {
    const text = await (await fetch(`${target.gatewayOrigin}/metrics`)).text();
    const sample = (name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    return {
      known: text.includes('gateway_access_log_sent_records'),
      answered: sample('gateway_requests_total'),
      sent: sample('gateway_access_log_sent_records'),
      dropped: sample('gateway_access_log_dropped_records'),
    };
  };
  const settledBy = Date.now() + 30_000;
  let counts = await read();
  if (!counts.known) return null;
  while (counts.sent + counts.dropped < counts.answered && Date.now() < settledBy) {
    await new Promise((r) => setTimeout(r, 500));
    counts = await read();
  }
  return { answered: counts.answered, sent: counts.sent, dropped: counts.dropped };
}

function addCounts(totals: Map<Target, AccessLogCounts>, target: Target, counts: AccessLogCounts | null): void {
  if (counts === null) return;
  const total = totals.get(target) ?? { answered: 0, sent: 0, dropped: 0 };
  totals.set(target, { answered: total.answered + counts.answered, sent: total.sent + counts.sent, dropped: total.dropped + counts.dropped });
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${fmt(value)}`;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
