import { MigrationInterface, QueryRunner } from 'typeorm';

/** When a user's Okta group list was last read and written: an older read never overwrites a newer one. */
export class MembershipReadOrder1764374400000 implements MigrationInterface {
  name = 'MembershipReadOrder1764374400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE identity_sync.principals ADD COLUMN okta_memberships_read_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE identity_sync.principals DROP COLUMN okta_memberships_read_at`);
  }
}
