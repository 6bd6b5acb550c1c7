import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The principal read model fed by identity.events.v1: who exists, their status, manager and
 * department, and their group memberships, for assigning reviewers.
 */
export class PrincipalsReadModel1764028800000 implements MigrationInterface {
  name = 'PrincipalsReadModel1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE review_scheduler.principals (
        principal_id uuid NOT NULL,
        type text NOT NULL,
        display_name text NOT NULL,
        email text,
        status text NOT NULL,
        manager_id uuid,
        department text,
        external_id text,
        source text NOT NULL,
        observed_at timestamptz NOT NULL,
        CONSTRAINT "PK_review_scheduler_principals" PRIMARY KEY (principal_id),
        CONSTRAINT "CHK_review_scheduler_principals_status" CHECK (status IN ('active', 'suspended', 'deactivated', 'deleted'))
      )`);
    await runner.query(`CREATE INDEX "IDX_review_scheduler_principals_manager" ON review_scheduler.principals (manager_id)`);
    await runner.query(`
      CREATE TABLE review_scheduler.group_memberships (
        principal_id uuid NOT NULL,
        group_id uuid NOT NULL,
        group_name text NOT NULL,
        is_member boolean NOT NULL,
        observed_at timestamptz NOT NULL,
        CONSTRAINT "PK_review_scheduler_group_memberships" PRIMARY KEY (principal_id, group_id)
      )`);
    await runner.query(
      `CREATE INDEX "IDX_review_scheduler_group_memberships_group" ON review_scheduler.group_memberships (group_id) WHERE is_member`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE review_scheduler.group_memberships`);
    await runner.query(`DROP TABLE review_scheduler.principals`);
  }
}
