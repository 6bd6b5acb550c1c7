import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * When a key last called an API, as usage-ingest reports it on usage.last-used.v1: enforcement's own
 * read model of last-use evidence (it never reads usage-ingest's tables).
 */
@Entity({ name: 'key_usage', schema: 'enforcement' })
@Index('IDX_key_usage_api_last_used', ['apiId', 'lastUsedAt'])
@Index('IDX_key_usage_principal', ['principalId'])
@Index('IDX_key_usage_grant', ['grantId'], { where: 'grant_id IS NOT NULL' })
export class KeyUsageEntity {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @PrimaryColumn({ name: 'api_id', type: 'uuid' })
  apiId: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  /** The grant the newest call was allowed by; null when usage-ingest could not tell. */
  @Column({ name: 'grant_id', type: 'uuid', nullable: true })
  grantId: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;

  /** Requests counted by usage-ingest as of `lastUsedAt`; a string, as bigint comes from the driver. */
  @Column('bigint')
  requests: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
