import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where the System Log poll continues: Okta's `since` and opaque `after` from the last page's next link. */
@Entity({ name: 'system_log_cursor', schema: 'identity_sync' })
export class SystemLogCursorEntity {
  @PrimaryColumn('text')
  id: 'okta';

  @Column('timestamptz')
  since: Date;

  @Column({ type: 'text', nullable: true })
  after: string | null;

  @Column({ name: 'events_applied', type: 'bigint' })
  eventsApplied: string;

  @Column({ name: 'polled_at', type: 'timestamptz', nullable: true })
  polledAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
