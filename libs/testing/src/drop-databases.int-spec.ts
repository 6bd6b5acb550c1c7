import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { databaseName, dropDatabasesStartingWith, ensureDatabase, withDatabase } from '@attest/persistence';
import { TEST_DATABASE_URL } from './integration.global-setup';

describe('dropDatabasesStartingWith', () => {
  const prefix = `${databaseName(TEST_DATABASE_URL)}_drop_${randomUUID().slice(0, 8)}`;
  const url = (suffix: string) => withDatabase(TEST_DATABASE_URL, `${prefix}${suffix}`);
  const existing = async (): Promise<string[]> => {
    const admin = new Client({ connectionString: withDatabase(TEST_DATABASE_URL, 'postgres') });
    await admin.connect();
    try {
      const result = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname', [prefix]);
      return result.rows.map((row) => row.datname);
    } finally {
      await admin.end();
    }
  };

  afterAll(() => dropDatabasesStartingWith(TEST_DATABASE_URL, { prefix, force: true }));

  it('leaves a database in use unless forced, and only those named with the prefix', async () => {
    await ensureDatabase(url('_free'));
    await ensureDatabase(url('_used'));
    const other = `${databaseName(TEST_DATABASE_URL)}_keep_${randomUUID().slice(0, 8)}`;
    await ensureDatabase(withDatabase(TEST_DATABASE_URL, other));
    const session = new Client({ connectionString: url('_used') });
    session.on('error', () => undefined);
    await session.connect();
    try {
      expect(await dropDatabasesStartingWith(TEST_DATABASE_URL, { prefix, force: false })).toEqual([`${prefix}_free`]);
      expect(await existing()).toEqual([`${prefix}_used`]);
    } finally {
      await session.end().catch(() => undefined);
    }
    const held = new Client({ connectionString: url('_used') });
    await held.connect();
    held.on('error', () => undefined); // the forced drop ends this session
    expect(await dropDatabasesStartingWith(TEST_DATABASE_URL, { prefix, force: true })).toEqual([`${prefix}_used`]);
    expect(await existing()).toEqual([]);
    expect(await dropDatabasesStartingWith(TEST_DATABASE_URL, { prefix: other, force: true })).toEqual([other]);
  }, 30_000); // Postgres waits 5 s for the sessions of a database before refusing to drop it

  it('refuses a prefix that is not a plain lower-case name', async () => {
    await expect(dropDatabasesStartingWith(TEST_DATABASE_URL, { prefix: 'x"; DROP', force: true })).rejects.toThrow('unsafe database name prefix');
    await expect(dropDatabasesStartingWith(TEST_DATABASE_URL, { prefix: '', force: true })).rejects.toThrow('unsafe database name prefix');
  });
});
