import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { assertTestDatabase, databaseName, DEFAULT_DATABASE_URL, dropDatabasesStartingWith, ensureDatabase, withDatabase } from '@attest/persistence';

/** The test database on the local server, used when nothing names another one. */
const LOCAL_TEST_DATABASE_URL = withDatabase(DEFAULT_DATABASE_URL, 'attest_test');

/**
 * The database this run of the tests uses, which the global set-up created for it (and passed down
 * as DATABASE_URL); outside a jest run, the local server's `attest_test`.
 */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? LOCAL_TEST_DATABASE_URL;

/**
 * A database of a suite's own next to this run's test database, `<name>_<suite>`: for a suite whose
 * assertions need no other suite's rows, such as a reconciler that must find nothing to repair.
 */
export function suiteDatabaseUrl(suite: string, base: string = TEST_DATABASE_URL): string {
  const url = withDatabase(base, `${databaseName(base)}_${suite}`);
  assertTestDatabase(url);
  return url;
}

type Stoppable = { stop: () => Promise<unknown> };
const started = globalThis as typeof globalThis & { __attestContainers?: Stoppable[]; __attestRunDatabase?: string };

/**
 * Runs once per jest run: finds Postgres (DATABASE_URL, else the server on 127.0.0.1:5432, else a
 * testcontainers Postgres when a Docker engine answers), brings up the project's own Kafka broker (or
 * reuses a running one), and creates a fresh database for this run, `<name>_run_<id>`, which the
 * teardown drops with every suite database named after it. The Postgres server outlives a run, and
 * rows an earlier run left (against a broker since wiped) must not meet this one. It refuses a
 * database whose name does not say test.
 */
export default async function globalSetup(): Promise<void> {
  const server = process.env.DATABASE_URL ?? (await findPostgres());
  assertTestDatabase(server);
  const runPrefix = `${databaseName(server)}_run_`;
  // A run killed before its teardown leaves its databases; one still running keeps its own (in use).
  await dropDatabasesStartingWith(server, { prefix: runPrefix, force: false });
  const runDatabase = withDatabase(server, `${runPrefix}${Date.now().toString(36)}_${randomUUID().slice(0, 4)}`);
  await ensureDatabase(runDatabase);
  process.env.DATABASE_URL = runDatabase;
  started.__attestRunDatabase = runDatabase;
  process.env.KAFKA_GROUP_PREFIX ??= 'attest-test';
  if (!process.env.KAFKA_BROKERS) {
    const root = resolve(__dirname, '../../..');
    const out = execFileSync(process.execPath, [resolve(root, 'scripts/kafka.mjs'), 'up'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.env.KAFKA_BROKERS = out.trim().split('\n').pop();
  }
}

/** Drops this run's database and the suite databases named after it. */
export async function dropRunDatabases(): Promise<void> {
  const url = started.__attestRunDatabase;
  if (url === undefined) return;
  started.__attestRunDatabase = undefined;
  await dropDatabasesStartingWith(url, { prefix: databaseName(url), force: true });
}

/** Stops what the set-up started in containers; a local server or broker is left as it was. */
export async function stopStartedContainers(): Promise<void> {
  await Promise.all((started.__attestContainers ?? []).map((container) => container.stop()));
  started.__attestContainers = [];
}

async function findPostgres(): Promise<string> {
  if (await answers('127.0.0.1', 5432)) return LOCAL_TEST_DATABASE_URL;
  if (!dockerAnswers()) {
    throw new Error('no Postgres: set DATABASE_URL, start a server on 127.0.0.1:5432, or run a Docker engine');
  }
  // Only reached on machines with a Docker engine; the development machines run Postgres locally.
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'attest_test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  started.__attestContainers = [...(started.__attestContainers ?? []), container];
  return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/attest_test`;
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => finish(true));
  });
}
