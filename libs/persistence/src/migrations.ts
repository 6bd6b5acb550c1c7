import { DataSource } from 'typeorm';

/**
 * Runs the service's migrations under a Postgres advisory lock so that replicas starting together
 * migrate once, one after the other, instead of racing on the same DDL.
 */
export async function runMigrationsLocked(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`attest:migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`attest:migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}
