import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { assertTestDatabase, ensureDatabase } from '@attest/persistence';

export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/attest_test';

/**
 * Runs once per jest run: brings up the project's own Kafka broker (or reuses a running one) and
 * makes sure the test database exists. It refuses a database whose name does not say test.
 */
export default async function globalSetup(): Promise<void> {
  process.env.DATABASE_URL ??= TEST_DATABASE_URL;
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
