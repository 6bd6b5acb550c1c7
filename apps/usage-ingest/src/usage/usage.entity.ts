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
export class GrantUsage {
  @PrimaryColumn({ name: 'grant_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_grant_usage' })
  grantId: string;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;

  @Column({ type: 'bigint' })
  requests: string;
}

/**
 * When a key last called an API (whatever the outcome, once the key was authenticated), and the
 * last-used value most recently published on usage.last-used.v1, which throttles the next one.
 */
@Entity({ name: 'key_api_usage', schema: 'usage_ingest' })
@Index('IDX_usage_ingest_key_api_usage_api', ['apiId'])
export class KeyApiUsage {
  @PrimaryColumn({ name: 'key_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_key_api_usage' })
  keyId: string;

  @PrimaryColumn({ name: 'api_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_key_api_usage' })
  apiId: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  /** The grant of the latest call that had one; null while every call was denied. */
  @Column({ name: 'grant_id', type: 'uuid', nullable: true })
  grantId: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;

  @Column({ type: 'bigint' })
  requests: string;

  @Column({ name: 'published_last_used_at', type: 'timestamptz' })
  publishedLastUsedAt: Date;
}
