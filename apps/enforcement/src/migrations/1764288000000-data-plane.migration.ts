import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The data plane: key owners, narrowing, limits and rotation; API limits and lifecycle dates; the
 * last-use read model fed by usage-ingest; gateway replicas' heartbeats; and every published policy
 * and catalog state with the time every live replica had applied it.
 */
export class DataPlane1764288000000 implements MigrationInterface {
  name = 'DataPlane1764288000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE enforcement.api_keys
        ADD COLUMN owner text,
        ADD COLUMN api_ids uuid[],
        ADD COLUMN scopes text[],
        ADD COLUMN rate_limit jsonb,
        ADD COLUMN quota jsonb,
        ADD COLUMN rotated_from uuid,
        ADD COLUMN replaced_by uuid`);
    // Retiring an API finds the keys narrowed to it through this index.
    await runner.query(`CREATE INDEX "IDX_api_keys_api_ids" ON enforcement.api_keys USING gin (api_ids) WHERE api_ids IS NOT NULL`);

    await runner.query(`
      ALTER TABLE enforcement.apis
        ADD COLUMN rate_limit jsonb,
        ADD COLUMN quota jsonb,
        ADD COLUMN deprecated_at timestamptz,
        ADD COLUMN retired_at timestamptz,
        ADD COLUMN retire_reason text`);

    await runner.query(`
      CREATE TABLE enforcement.key_usage (
        key_id uuid NOT NULL,
        api_id uuid NOT NULL,
        principal_id uuid NOT NULL,
        grant_id uuid,
        last_used_at timestamptz NOT NULL,
        requests bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_key_usage" PRIMARY KEY (key_id, api_id)
      )`);
    await runner.query(`CREATE INDEX "IDX_key_usage_api_last_used" ON enforcement.key_usage (api_id, last_used_at)`);
    await runner.query(`CREATE INDEX "IDX_key_usage_principal" ON enforcement.key_usage (principal_id)`);
    await runner.query(`CREATE INDEX "IDX_key_usage_grant" ON enforcement.key_usage (grant_id) WHERE grant_id IS NOT NULL`);

    await runner.query(`
      CREATE TABLE enforcement.gateway_replicas (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        ready boolean NOT NULL,
        staleness_ms double precision NOT NULL,
        lag bigint NOT NULL,
        positions jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX "IDX_gateway_replicas_last_seen" ON enforcement.gateway_replicas (last_seen_at)`);

    await runner.query(`
      CREATE TABLE enforcement.state_changes (
        event_id uuid PRIMARY KEY,
        topic text NOT NULL,
        subject text NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        kafka_partition integer,
        kafka_offset bigint,
        published_at timestamptz,
        enforced_at timestamptz
      )`);
    await runner.query(`CREATE INDEX "IDX_state_changes_subject" ON enforcement.state_changes (topic, subject, version)`);
    // Each heartbeat looks only at what is published and not yet confirmed everywhere.
    await runner.query(
      `CREATE INDEX "IDX_state_changes_unenforced" ON enforcement.state_changes (topic, kafka_partition, kafka_offset) WHERE enforced_at IS NULL`,
    );
    await runner.query(`CREATE INDEX "IDX_state_changes_unlocated" ON enforcement.state_changes (event_id) WHERE kafka_offset IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE enforcement.state_changes`);
    await runner.query(`DROP TABLE enforcement.gateway_replicas`);
    await runner.query(`DROP TABLE enforcement.key_usage`);
    await runner.query(`
      ALTER TABLE enforcement.apis
        DROP COLUMN retire_reason, DROP COLUMN retired_at, DROP COLUMN deprecated_at, DROP COLUMN quota, DROP COLUMN rate_limit`);
    await runner.query(`DROP INDEX enforcement."IDX_api_keys_api_ids"`);
    await runner.query(`
      ALTER TABLE enforcement.api_keys
        DROP COLUMN replaced_by, DROP COLUMN rotated_from, DROP COLUMN quota,
        DROP COLUMN rate_limit, DROP COLUMN scopes, DROP COLUMN api_ids, DROP COLUMN owner`);
  }
}
