import { MigrationInterface, QueryRunner } from 'typeorm';

/** The grant read model (fed by access.grants.v1) and the usage aggregates (fed by the access log). */
export class UsageTables1763942400000 implements MigrationInterface {
  name = 'UsageTables1763942400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE usage_ingest.grants (
        grant_id uuid NOT NULL,
        principal_id uuid NOT NULL,
        api_id uuid NOT NULL,
        status text NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT "PK_usage_ingest_grants" PRIMARY KEY (grant_id)
      )`);
    await runner.query(`
      CREATE TABLE usage_ingest.usage_daily (
        key_id uuid NOT NULL,
        grant_id uuid NOT NULL,
        route text NOT NULL,
        day date NOT NULL,
        requests bigint NOT NULL,
        last_used_at timestamptz NOT NULL,
        CONSTRAINT "PK_usage_ingest_usage_daily" PRIMARY KEY (key_id, grant_id, route, day)
      )`);
    await runner.query(`CREATE INDEX "IDX_usage_ingest_usage_daily_grant_day" ON usage_ingest.usage_daily (grant_id, day)`);
    await runner.query(`
      CREATE TABLE usage_ingest.grant_usage (
        grant_id uuid NOT NULL,
        last_used_at timestamptz NOT NULL,
        requests bigint NOT NULL,
        CONSTRAINT "PK_usage_ingest_grant_usage" PRIMARY KEY (grant_id)
      )`);
    // Dormant-grant detection scans grants by how long ago they were last used.
    await runner.query(`CREATE INDEX "IDX_usage_ingest_grant_usage_last_used" ON usage_ingest.grant_usage (last_used_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE usage_ingest.grant_usage`);
    await runner.query(`DROP TABLE usage_ingest.usage_daily`);
    await runner.query(`DROP TABLE usage_ingest.grants`);
  }
}
