#!/usr/bin/env node
// The project's own entry point behind `npm start`, `npm test` and `npm run bench`. It depends only on
// node: builtins until dependencies are installed, so it works on a fresh clone:
//   start  install if needed, build, bring up Kafka and Postgres databases, start all five services
//   test   install if needed, build, lint, bring up Kafka and the test database, run every test tier
//   bench  install if needed, build, bring up Kafka, run the benchmarks and print their ratios
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKafka } from './kafka.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const BIN = path.join(ROOT, 'node_modules', '.bin');
const DEV_ADMIN_TOKEN = 'attest-dev-admin-token';

const PORT_VARIABLES = {
  gateway: 'GATEWAY_PORT',
  enforcement: 'ENFORCEMENT_PORT',
  'identity-sync': 'IDENTITY_SYNC_PORT',
  'usage-ingest': 'USAGE_INGEST_PORT',
  'review-scheduler': 'REVIEW_SCHEDULER_PORT',
};

function run(command, args, { env = {}, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 || allowFailure) resolve(code ?? 1);
      else reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * Installs when node_modules is missing or older than the lock file, so a fresh clone needs no manual
 * step. `npm install` rather than `npm ci`: the registries reachable here do not serve every
 * platform's optional native binding, so the lock file cannot list them all and `npm ci` refuses it.
 */
async function ensureDependencies() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('attest: installing dependencies (npm install)');
  await run('npm', ['install', '--no-audit', '--no-fund']);
}

async function build() {
  console.log('attest: building (tsc -b)');
  await run(path.join(BIN, 'tsc'), ['-b', 'tsconfig.build.json']);
}

async function ensureDatabaseAt(url) {
  const { ensureDatabase, redactDatabaseUrl } = persistence();
  await ensureDatabase(url);
  console.log(`attest: postgres database ready at ${redactDatabaseUrl(url)}`);
}

/** The persistence library's own URL helpers, loaded from its build output once `build()` ran. */
function persistence() {
  return require('./libs/persistence/dist/index.js');
}

/** The configured server (DATABASE_URL, else the default one) with another database name. */
function databaseOnServer(name) {
  const { DEFAULT_DATABASE_URL, withDatabase } = persistence();
  return withDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, name);
}

async function start() {
  await ensureDependencies();
  await build();
  const kafka = await ensureKafka();
  const databaseUrl = process.env.DATABASE_URL ?? persistence().DEFAULT_DATABASE_URL;
  await ensureDatabaseAt(databaseUrl);
  const { Cluster, DEFAULT_PORTS, SERVICE_NAMES } = require('./libs/testing/dist/index.js');
  const ports = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, Number(process.env[PORT_VARIABLES[name]] ?? DEFAULT_PORTS[name])]),
  );
  const cluster = new Cluster({
    databaseUrl,
    brokers: kafka.brokers,
    adminToken: process.env.ATTEST_ADMIN_TOKEN ?? DEV_ADMIN_TOKEN,
    ports,
    env: { NODE_ENV: process.env.NODE_ENV ?? 'development' },
    onLine: (service, line) => process.stdout.write(`[${service.padEnd(16)}] ${line}\n`),
  });

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nattest: ${signal} received, stopping services`);
    await cluster.stop();
    await kafka.stop();
    console.log('attest: stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await cluster.start();
  } catch (error) {
    console.error(`attest: ${error.message}`);
    await shutdown('start-up failure');
    return;
  }
  console.log('\nAttest is running:');
  for (const name of SERVICE_NAMES) console.log(`  ${name.padEnd(17)} ${cluster.url(name)}`);
  console.log(`  kafka             ${kafka.brokers}`);
  if (!process.env.ATTEST_ADMIN_TOKEN) console.log(`  admin token       ${DEV_ADMIN_TOKEN} (development default)`);
  console.log('Press Ctrl-C to stop.\n');
}

async function jest(projects, env) {
  const report = path.join(ROOT, '.cache', `jest-${projects.join('-')}.json`);
  const args = ['--ci', '--json', `--outputFile=${report}`, ...projects.flatMap((p) => ['--selectProjects', p])];
  if (projects.includes('e2e')) args.push('--runInBand');
  // One test file at a time, as on a 2-core machine, where jest's default is one worker: integration suites share the
  // run's database and broker, and some consume the same topics into the same schema (the two enforcement API suites),
  // so with more cores they would apply each other's events.
  else if (projects.includes('integration')) args.push('--maxWorkers=1');
  const code = await run(path.join(BIN, 'jest'), args, { env, allowFailure: true });
  const summary = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null;
  return { code, passed: summary?.numPassedTests ?? 0, failed: summary?.numFailedTests ?? 0 };
}

async function test() {
  await ensureDependencies();
  await build();
  console.log('attest: type-checking tests');
  await run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.spec.json']);
  console.log('attest: linting');
  // The module-boundary rule reads Nx's project graph and is silently skipped without one, so compute it first.
  await run(path.join(BIN, 'nx'), ['show', 'projects'], { env: { NX_DAEMON: 'false' } });
  await run(path.join(BIN, 'eslint'), ['apps', 'libs', 'e2e', 'bench']);
  const kafka = await ensureKafka();
  const databaseUrl = databaseOnServer('attest_test');
  await ensureDatabaseAt(databaseUrl);
  mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
  const env = { KAFKA_BROKERS: kafka.brokers, DATABASE_URL: databaseUrl, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const results = [];
  try {
    results.push(await jest(['unit', 'integration'], { ...env, KAFKA_GROUP_PREFIX: 'attest-test' }));
    // The end-to-end suite runs after, alone, so its cluster never shares a consumer group with an integration test.
    results.push(await jest(['e2e'], { ...env, KAFKA_GROUP_PREFIX: 'attest-e2e' }));
  } finally {
    await kafka.stop();
  }
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  console.log(`\n${passed} passed, ${failed} failed`);
  if (results.some((r) => r.code !== 0)) process.exit(1);
}

async function bench() {
  await ensureDependencies();
  await build();
  const kafka = await ensureKafka();
  const databaseUrl = databaseOnServer('attest_bench_test');
  await ensureDatabaseAt(databaseUrl);
  try {
    await run(process.execPath, ['bench/dist/run.js'], {
      env: {
        KAFKA_BROKERS: kafka.brokers,
        DATABASE_URL: databaseUrl,
        // Fresh groups at the end of the topics: the benchmark measures its own traffic only.
        KAFKA_GROUP_PREFIX: `attest-bench-${Date.now()}`,
        KAFKA_CONSUMER_START: 'latest',
        LOG_LEVEL: 'warn',
      },
    });
  } finally {
    await kafka.stop();
  }
}

const commands = { start, test, bench, infra: async () => console.log((await ensureKafka()).brokers) };
const command = commands[process.argv[2]];
if (!command) {
  console.error(`usage: node scripts/attest.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
command().catch((error) => {
  console.error(`attest: ${error.message}`);
  process.exit(1);
});
