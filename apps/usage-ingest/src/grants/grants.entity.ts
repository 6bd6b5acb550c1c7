import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { GrantStatus } from '@attest/contracts';

/** The grants this service knows of, as last announced on access.grants.v1. */
@Entity({ name: 'grants', schema: 'usage_ingest' })
export class Grant {
  @PrimaryColumn({ name: 'grant_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_grants' })
  grantId: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @Column({ name: 'api_id', type: 'uuid' })
  apiId: string;

  @Column({ type: 'text' })
  status: GrantStatus;

  /** Where a never-used grant's dormancy is counted from. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
