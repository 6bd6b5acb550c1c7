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

/**
 * Drops every database on the server of `url` whose name starts with `prefix` and ends in `[a-z0-9_]`:
 * with `force`, connections still open are closed first; without it a database in use is left
 * alone (a run of the tests still going keeps its own). Returns the names dropped.
 */
export async function dropDatabasesStartingWith(url: string, options: { prefix: string; force: boolean }): Promise<string[]> {
  if (!/^[a-z0-9_]+$/.test(options.prefix)) throw new Error(`unsafe database name prefix "${options.prefix}"`);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const found: { rows: Array<{ datname: string }> } = await admin.query(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname ~ '^[a-z0-9_]+$' ORDER BY datname`,
      [options.prefix],
    );
    const dropped: string[] = [];
    for (const { datname } of found.rows) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${datname}"${options.force ? ' WITH (FORCE)' : ''}`);
        dropped.push(datname);
      } catch (error) {
        // 55006: another session is using it; only a forced drop closes those.
        if ((error as { code?: string }).code !== '55006') throw error;
      }
    }
    return dropped;
  } finally {
    await admin.end();
  }
}
