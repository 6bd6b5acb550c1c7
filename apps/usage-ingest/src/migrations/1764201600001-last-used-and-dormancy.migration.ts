import { MigrationInterface, QueryRunner } from 'typeorm';

/** Last use per (key, API) with its publication throttle, dormancy signals, and grants' creation time. */
export class LastUsedAndDormancy1764201600001 implements MigrationInterface {
  name = 'LastUsedAndDormancy1764201600001';

  async up(runner: QueryRunner): Promise<void> {
    // Grants announced before this column existed count as created when last updated: never earlier than truth.
    await runner.query(`ALTER TABLE usage_ingest.grants ADD COLUMN created_at timestamptz`);
    await runner.query(`UPDATE usage_ingest.grants SET created_at = updated_at`);
    await runner.query(`ALTER TABLE usage_ingest.grants ALTER COLUMN created_at SET NOT NULL`);
    await runner.query(`
      CREATE TABLE usage_ingest.key_api_usage (
        key_id uuid NOT NULL,
        api_id uuid NOT NULL,
        principal_id uuid NOT NULL,
        grant_id uuid,
        last_used_at timestamptz NOT NULL,
        requests bigint NOT NULL,
        published_last_used_at timestamptz NOT NULL,
        CONSTRAINT "PK_usage_ingest_key_api_usage" PRIMARY KEY (key_id, api_id)
      )`);
    // Per-API usage (last call, unused APIs) reads one API's keys.
    await runner.query(
      `CREATE INDEX "IDX_usage_ingest_key_api_usage_api_last_used" ON usage_ingest.key_api_usage (api_id, last_used_at)`,
    );
    await runner.query(`
      CREATE TABLE usage_ingest.dormancy_signals (
        grant_id uuid NOT NULL,
        idle_since timestamptz NOT NULL,
        signalled_at timestamptz NOT NULL,
        CONSTRAINT "PK_usage_ingest_dormancy_signals" PRIMARY KEY (grant_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE usage_ingest.dormancy_signals`);
    await runner.query(`DROP TABLE usage_ingest.key_api_usage`);
    await runner.query(`ALTER TABLE usage_ingest.grants DROP COLUMN created_at`);
  }
}
