import { MigrationInterface, QueryRunner } from 'typeorm';

/** The directory mirror (principals, groups, memberships), full-sync runs, the System Log cursor and the Event Hook inbox. */
export class IdentitySyncSchema1764028800000 implements MigrationInterface {
  name = 'IdentitySyncSchema1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE identity_sync.principals (
        id uuid PRIMARY KEY,
        type text NOT NULL DEFAULT 'user' CONSTRAINT "CHK_principals_type" CHECK (type IN ('user', 'service')),
        user_name text NOT NULL,
        email text,
        display_name text NOT NULL,
        given_name text,
        family_name text,
        title text,
        department text,
        status text NOT NULL CONSTRAINT "CHK_principals_status" CHECK (status IN ('active', 'suspended', 'deactivated', 'deleted')),
        manager_principal_id uuid,
        manager_okta_id text,
        okta_id text,
        okta_status text,
        okta_last_updated timestamptz,
        okta_refreshed_at timestamptz,
        scim_managed boolean NOT NULL DEFAULT false,
        scim_external_id text,
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX "UQ_principals_okta_id" ON identity_sync.principals (okta_id)`);
    await runner.query(`CREATE INDEX "IDX_principals_user_name" ON identity_sync.principals (lower(user_name))`);
    await runner.query(`CREATE INDEX "IDX_principals_email" ON identity_sync.principals (lower(email))`);
    await runner.query(
      `CREATE INDEX "IDX_principals_manager_okta_id" ON identity_sync.principals (manager_okta_id) WHERE manager_okta_id IS NOT NULL`,
    );
    await runner.query(
      `CREATE INDEX "IDX_principals_scim_external_id" ON identity_sync.principals (scim_external_id) WHERE scim_external_id IS NOT NULL`,
    );

    await runner.query(`
      CREATE TABLE identity_sync.groups (
        id uuid PRIMARY KEY,
        display_name text NOT NULL,
        description text,
        status text NOT NULL DEFAULT 'active' CONSTRAINT "CHK_groups_status" CHECK (status IN ('active', 'deleted')),
        okta_id text,
        okta_last_updated timestamptz,
        okta_refreshed_at timestamptz,
        scim_managed boolean NOT NULL DEFAULT false,
        scim_external_id text,
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX "UQ_groups_okta_id" ON identity_sync.groups (okta_id)`);
    await runner.query(`CREATE INDEX "IDX_groups_display_name" ON identity_sync.groups (lower(display_name))`);

    await runner.query(`
      CREATE TABLE identity_sync.memberships (
        group_id uuid NOT NULL CONSTRAINT "FK_memberships_group" REFERENCES identity_sync.groups (id) ON DELETE CASCADE,
        principal_id uuid NOT NULL CONSTRAINT "FK_memberships_principal" REFERENCES identity_sync.principals (id) ON DELETE CASCADE,
        source text NOT NULL,
        okta_refreshed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "PK_memberships" PRIMARY KEY (group_id, principal_id)
      )`);
    await runner.query(`CREATE INDEX "IDX_memberships_principal" ON identity_sync.memberships (principal_id)`);

    await runner.query(`
      CREATE TABLE identity_sync.sync_runs (
        id uuid PRIMARY KEY,
        status text NOT NULL CONSTRAINT "CHK_sync_runs_status" CHECK (status IN ('running', 'interrupted', 'succeeded', 'failed')),
        trigger text NOT NULL,
        stage text NOT NULL,
        cursor jsonb NOT NULL DEFAULT '{}'::jsonb,
        attempts integer NOT NULL DEFAULT 1,
        users integer NOT NULL DEFAULT 0,
        groups integer NOT NULL DEFAULT 0,
        memberships integer NOT NULL DEFAULT 0,
        deleted integer NOT NULL DEFAULT 0,
        events_published integer NOT NULL DEFAULT 0,
        pages integer NOT NULL DEFAULT 0,
        rate_limit_waits integer NOT NULL DEFAULT 0,
        rate_limit_pauses integer NOT NULL DEFAULT 0,
        rate_limit_waited_ms bigint NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX "IDX_sync_runs_started_at" ON identity_sync.sync_runs (started_at DESC)`);

    await runner.query(`
      CREATE TABLE identity_sync.system_log_cursor (
        id text PRIMARY KEY CONSTRAINT "CHK_system_log_cursor_id" CHECK (id = 'okta'),
        since timestamptz NOT NULL,
        after text,
        events_applied bigint NOT NULL DEFAULT 0,
        polled_at timestamptz,
        last_error text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await runner.query(`
      CREATE TABLE identity_sync.event_hook_deliveries (
        event_id text PRIMARY KEY,
        event_time timestamptz,
        body jsonb NOT NULL,
        event_count integer NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        last_error text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX "IDX_event_hook_deliveries_pending" ON identity_sync.event_hook_deliveries (next_attempt_at) WHERE processed_at IS NULL`,
    );
    await runner.query(`CREATE INDEX "IDX_event_hook_deliveries_received_at" ON identity_sync.event_hook_deliveries (received_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE identity_sync.event_hook_deliveries`);
    await runner.query(`DROP TABLE identity_sync.system_log_cursor`);
    await runner.query(`DROP TABLE identity_sync.sync_runs`);
    await runner.query(`DROP TABLE identity_sync.memberships`);
    await runner.query(`DROP TABLE identity_sync.groups`);
    await runner.query(`DROP TABLE identity_sync.principals`);
  }
}
