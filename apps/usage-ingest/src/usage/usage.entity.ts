import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Calls per credential, grant and route on one UTC day. */
@Entity({ name: 'usage_daily', schema: 'usage_ingest' })
@Index('IDX_usage_ingest_usage_daily_grant_day', ['grantId', 'day'])
export class UsageDay {
  @PrimaryColumn({ name: 'key_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_usage_daily' })
  keyId: string;

  @PrimaryColumn({ name: 'grant_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_usage_daily' })
  grantId: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_usage_ingest_usage_daily' })
  route: string;

  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_usage_ingest_usage_daily' })
  day: string;

  @Column({ type: 'bigint' })
  requests: string;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;
}

/** All-time calls and the latest call under one grant: the evidence a review item shows. */
@Entity({ name: 'grant_usage', schema: 'usage_ingest' })
@Index('IDX_usage_ingest_grant_usage_last_used', ['lastUsedAt'])
export class GrantUsage {
  @PrimaryColumn({ name: 'grant_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_grant_usage' })
  grantId: string;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;

  @Column({ type: 'bigint' })
  requests: string;
}
