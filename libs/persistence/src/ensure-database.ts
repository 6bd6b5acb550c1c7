import { Client } from 'pg';
import { databaseName, redactDatabaseUrl, withDatabase } from './database-url';

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`cannot reach Postgres at ${redactDatabaseUrl(url)}: ${(error as Error).message}`);
  }
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      // CREATE DATABASE takes no bind parameters; the name is quoted as an identifier instead.
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by a sibling process
      });
    }
  } finally {
    await admin.end();
  }
}

/** Test set-up refuses any database whose name does not say it is for tests. */
export function assertTestDatabase(url: string): void {
  const name = databaseName(url);
  if (!/test/i.test(name)) {
    throw new Error(`refusing to run tests against database "${name}": its name must contain "test"`);
  }
}
