import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One admin change or review decision, kept here after its audit event has left the outbox. */
@Entity({ name: 'audit_log', schema: 'enforcement' })
@Index('IDX_audit_log_target', ['targetType', 'targetId', 'occurredAt'])
export class AuditEntryEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  actor: string;

  @Column('text')
  action: string;

  @Column({ name: 'target_type', type: 'text' })
  targetType: string;

  @Column({ name: 'target_id', type: 'text' })
  targetId: string;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column('jsonb')
  details: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
