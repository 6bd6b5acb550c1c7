import { MigrationInterface, QueryRunner } from 'typeorm';

/** The grant read model (fed by access.grants.v1) and the reviewers' decisions. */
export class GrantsAndDecisions1763942400000 implements MigrationInterface {
  name = 'GrantsAndDecisions1763942400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE review_scheduler.grants (
        grant_id uuid NOT NULL,
        principal_id uuid NOT NULL,
        api_id uuid NOT NULL,
        scopes text[] NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT "PK_review_scheduler_grants" PRIMARY KEY (grant_id)
      )`);
    await runner.query(`CREATE INDEX "IDX_review_scheduler_grants_principal" ON review_scheduler.grants (principal_id)`);
    await runner.query(`CREATE INDEX "IDX_review_scheduler_grants_api" ON review_scheduler.grants (api_id)`);
    await runner.query(`
      CREATE TABLE review_scheduler.decisions (
        decision_id uuid NOT NULL,
        grant_id uuid NOT NULL,
        decision text NOT NULL,
        reviewer text NOT NULL,
        reason text NOT NULL,
        decided_at timestamptz NOT NULL,
        CONSTRAINT "PK_review_scheduler_decisions" PRIMARY KEY (decision_id),
        CONSTRAINT "CHK_review_scheduler_decisions_decision" CHECK (decision IN ('revoke', 'keep'))
      )`);
    await runner.query(
      `CREATE INDEX "IDX_review_scheduler_decisions_grant" ON review_scheduler.decisions (grant_id, decided_at)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE review_scheduler.decisions`);
    await runner.query(`DROP TABLE review_scheduler.grants`);
  }
}
