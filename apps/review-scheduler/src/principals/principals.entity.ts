import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { IdentityStatus } from '@attest/contracts';

/** This service's own copy of a principal's facts, as last announced on identity.events.v1. */
@Entity({ name: 'principals', schema: 'review_scheduler' })
@Index('IDX_review_scheduler_principals_manager', ['managerId'])
export class Principal {
  @PrimaryColumn({ name: 'principal_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_scheduler_principals' })
  principalId: string;

  @Column({ type: 'text' })
  type: 'user' | 'service';

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ type: 'text' })
  status: IdentityStatus;

  /** The manager's principal id: the default reviewer of this principal's access. */
  @Column({ name: 'manager_id', type: 'uuid', nullable: true })
  managerId: string | null;

  @Column({ type: 'text', nullable: true })
  department: string | null;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  @Column({ type: 'text' })
  source: string;

  /** When the newest fact held here happened (the event envelope's occurredAt); older facts are ignored. */
  @Column({ name: 'observed_at', type: 'timestamptz' })
  observedAt: Date;
}
