import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every batch rewrites the usage rows it touches. Leaving `last_used_at` out of every index and
 * leaving room on each page lets Postgres update those rows in place (HOT), without an index entry
 * per update: at tens of thousands of calls a second that is most of the write cost.
 */
export class UsageHotUpdates1764201600002 implements MigrationInterface {
  name = 'UsageHotUpdates1764201600002';

  async up(runner: QueryRunner): Promise<void> {
    // The dormancy check reads every grant with its usage; it never needed this index.
    await runner.query(`DROP INDEX usage_ingest."IDX_usage_ingest_grant_usage_last_used"`);
    await runner.query(`DROP INDEX usage_ingest."IDX_usage_ingest_key_api_usage_api_last_used"`);
    await runner.query(`CREATE INDEX "IDX_usage_ingest_key_api_usage_api" ON usage_ingest.key_api_usage (api_id)`);
    for (const table of ['usage_daily', 'grant_usage', 'key_api_usage']) {
      await runner.query(`ALTER TABLE usage_ingest.${table} SET (fillfactor = 70)`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['usage_daily', 'grant_usage', 'key_api_usage']) {
      await runner.query(`ALTER TABLE usage_ingest.${table} RESET (fillfactor)`);
    }
    await runner.query(`DROP INDEX usage_ingest."IDX_usage_ingest_key_api_usage_api"`);
    await runner.query(
      `CREATE INDEX "IDX_usage_ingest_key_api_usage_api_last_used" ON usage_ingest.key_api_usage (api_id, last_used_at)`,
    );
    await runner.query(`CREATE INDEX "IDX_usage_ingest_grant_usage_last_used" ON usage_ingest.grant_usage (last_used_at)`);
  }
}
