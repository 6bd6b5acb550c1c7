import { execFileSync } from 'node:child_process';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { assertTestDatabase, DEFAULT_DATABASE_URL, ensureDatabase, withDatabase } from '@attest/persistence';

export const TEST_DATABASE_URL = withDatabase(DEFAULT_DATABASE_URL, 'attest_test');

type Stoppable = { stop: () => Promise<unknown> };
const started = globalThis as typeof globalThis & { __attestContainers?: Stoppable[] };

/**
 * Runs once per jest run: finds Postgres (DATABASE_URL, else the server on 127.0.0.1:5432, else a
 * testcontainers Postgres when a Docker engine answers), brings up the project's own Kafka broker (or
 * reuses a running one), and makes sure the test database exists. It refuses a database whose name
 * does not say test.
 */
export default async function globalSetup(): Promise<void> {
  process.env.DATABASE_URL ??= await findPostgres();
  process.env.KAFKA_GROUP_PREFIX ??= 'attest-test';
  assertTestDatabase(process.env.DATABASE_URL);
  await ensureDatabase(process.env.DATABASE_URL);
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

/** Stops what the set-up started in containers; a local server or broker is left as it was. */
export async function stopStartedContainers(): Promise<void> {
  await Promise.all((started.__attestContainers ?? []).map((container) => container.stop()));
  started.__attestContainers = [];
}

async function findPostgres(): Promise<string> {
  if (await answers('127.0.0.1', 5432)) return TEST_DATABASE_URL;
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
