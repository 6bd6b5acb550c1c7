import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Principals synced from the identity provider (their id, external id and lifecycle status), keys
 * suspended and grants orphaned when a principal leaves, and the 'flag' mode's access held pending review.
 */
export class IdentityLifecycle1764028800000 implements MigrationInterface {
  name = 'IdentityLifecycle1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE enforcement.principals DROP CONSTRAINT "CHK_principals_status"`);
    await runner.query(`
      ALTER TABLE enforcement.principals
        ADD CONSTRAINT "CHK_principals_status" CHECK (status IN ('active', 'suspended', 'deactivated', 'deleted')),
        ADD COLUMN external_id text,
        ADD COLUMN source text NOT NULL DEFAULT 'admin',
        ADD COLUMN held_pending_review boolean NOT NULL DEFAULT false,
        ADD COLUMN identity_observed_at timestamptz`);
    await runner.query(`CREATE INDEX "IDX_principals_email_lower" ON enforcement.principals (lower(email))`);

    await runner.query(`ALTER TABLE enforcement.api_keys DROP CONSTRAINT "CHK_api_keys_status"`);
    await runner.query(`
      ALTER TABLE enforcement.api_keys
        ADD CONSTRAINT "CHK_api_keys_status" CHECK (status IN ('active', 'suspended', 'revoked')),
        ADD COLUMN suspended_at timestamptz`);

    await runner.query(`
      ALTER TABLE enforcement.grants
        ADD COLUMN orphaned_at timestamptz,
        ADD COLUMN held_pending_review boolean NOT NULL DEFAULT false`);
    await runner.query(
      `CREATE INDEX "IDX_grants_principal_orphaned" ON enforcement.grants (principal_id) WHERE status = 'orphaned'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX enforcement."IDX_grants_principal_orphaned"`);
    await runner.query(`ALTER TABLE enforcement.grants DROP COLUMN held_pending_review, DROP COLUMN orphaned_at`);

    await runner.query(`UPDATE enforcement.api_keys SET status = 'revoked', revoked_at = now() WHERE status = 'suspended'`);
    await runner.query(`ALTER TABLE enforcement.api_keys DROP CONSTRAINT "CHK_api_keys_status", DROP COLUMN suspended_at`);
    await runner.query(
      `ALTER TABLE enforcement.api_keys ADD CONSTRAINT "CHK_api_keys_status" CHECK (status IN ('active', 'revoked'))`,
    );

    await runner.query(`DROP INDEX enforcement."IDX_principals_email_lower"`);
    await runner.query(`UPDATE enforcement.principals SET status = 'suspended' WHERE status = 'deactivated'`);
    await runner.query(`
      ALTER TABLE enforcement.principals
        DROP CONSTRAINT "CHK_principals_status",
        DROP COLUMN identity_observed_at,
        DROP COLUMN held_pending_review,
        DROP COLUMN source,
        DROP COLUMN external_id`);
    await runner.query(
      `ALTER TABLE enforcement.principals ADD CONSTRAINT "CHK_principals_status" CHECK (status IN ('active', 'suspended', 'deleted'))`,
    );
  }
}
