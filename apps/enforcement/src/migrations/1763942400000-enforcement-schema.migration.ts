import { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalog, principals, grants, API keys (hashes only) and the audit log of enforcement. */
export class EnforcementSchema1763942400000 implements MigrationInterface {
  name = 'EnforcementSchema1763942400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE enforcement.apis (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        base_path text NOT NULL,
        upstream_url text NOT NULL,
        owner_email text NOT NULL,
        status text NOT NULL DEFAULT 'active' CONSTRAINT "CHK_apis_status" CHECK (status IN ('active', 'deprecated', 'retired')),
        sunset_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        routes jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX "UQ_apis_base_path" ON enforcement.apis (base_path)`);

    await runner.query(`
      CREATE TABLE enforcement.principals (
        id uuid PRIMARY KEY,
        type text NOT NULL CONSTRAINT "CHK_principals_type" CHECK (type IN ('service', 'user')),
        display_name text NOT NULL,
        email text,
        status text NOT NULL DEFAULT 'active' CONSTRAINT "CHK_principals_status" CHECK (status IN ('active', 'suspended', 'deleted')),
        policy_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await runner.query(`
      CREATE TABLE enforcement.grants (
        id uuid PRIMARY KEY,
        principal_id uuid NOT NULL CONSTRAINT "FK_grants_principal" REFERENCES enforcement.principals (id),
        api_id uuid NOT NULL CONSTRAINT "FK_grants_api" REFERENCES enforcement.apis (id),
        scopes text[] NOT NULL,
        status text NOT NULL DEFAULT 'active' CONSTRAINT "CHK_grants_status" CHECK (status IN ('active', 'revoked', 'orphaned')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE INDEX "IDX_grants_principal" ON enforcement.grants (principal_id)`);
    await runner.query(`CREATE INDEX "IDX_grants_api" ON enforcement.grants (api_id)`);
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_grants_active_principal_api" ON enforcement.grants (principal_id, api_id) WHERE status = 'active'`,
    );

    await runner.query(`
      CREATE TABLE enforcement.api_keys (
        id uuid PRIMARY KEY,
        principal_id uuid NOT NULL CONSTRAINT "FK_api_keys_principal" REFERENCES enforcement.principals (id),
        name text NOT NULL,
        prefix text NOT NULL,
        secret_hash text NOT NULL,
        status text NOT NULL DEFAULT 'active' CONSTRAINT "CHK_api_keys_status" CHECK (status IN ('active', 'revoked')),
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE UNIQUE INDEX "UQ_api_keys_prefix" ON enforcement.api_keys (prefix)`);
    await runner.query(`CREATE INDEX "IDX_api_keys_principal" ON enforcement.api_keys (principal_id)`);

    await runner.query(`
      CREATE TABLE enforcement.audit_log (
        id uuid PRIMARY KEY,
        actor text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        reason text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX "IDX_audit_log_target" ON enforcement.audit_log (target_type, target_id, occurred_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE enforcement.audit_log`);
    await runner.query(`DROP TABLE enforcement.api_keys`);
    await runner.query(`DROP TABLE enforcement.grants`);
    await runner.query(`DROP TABLE enforcement.principals`);
    await runner.query(`DROP TABLE enforcement.apis`);
  }
}
