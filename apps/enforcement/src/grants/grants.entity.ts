import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { GrantStatus } from '@attest/contracts';

/** Scopes of one API granted to one principal. */
@Entity({ name: 'grants', schema: 'enforcement' })
@Index('IDX_grants_principal', ['principalId'])
@Index('IDX_grants_api', ['apiId'])
@Index('IDX_grants_principal_orphaned', ['principalId'], { where: `status = 'orphaned'` })
@Index('UQ_grants_active_principal_api', ['principalId', 'apiId'], { unique: true, where: `status = 'active'` })
export class GrantEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @Column({ name: 'api_id', type: 'uuid' })
  apiId: string;

  @Column('text', { array: true })
  scopes: string[];

  @Column('text')
  status: GrantStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** When the grant's principal left the identity provider and orphaned it; null if never orphaned or since restored. */
  @Column({ name: 'orphaned_at', type: 'timestamptz', nullable: true })
  orphanedAt: Date | null;

  /** An orphaned grant that keeps working until a reviewer decides (ORPHANED_ACCESS_MODE=flag). */
  @Column({ name: 'held_pending_review', type: 'boolean' })
  heldPendingReview: boolean;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
