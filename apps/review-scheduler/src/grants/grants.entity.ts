import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { GrantStatus } from '@attest/contracts';

/** This service's own copy of a grant, as last announced on access.grants.v1. */
@Entity({ name: 'grants', schema: 'review_scheduler' })
@Index('IDX_review_scheduler_grants_principal', ['principalId'])
@Index('IDX_review_scheduler_grants_api', ['apiId'])
export class Grant {
  @PrimaryColumn({ name: 'grant_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_scheduler_grants' })
  grantId: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @Column({ name: 'api_id', type: 'uuid' })
  apiId: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  @Column({ type: 'text' })
  status: GrantStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
