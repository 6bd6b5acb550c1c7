import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ApiRoute, Quota, RateLimit } from '@attest/contracts';

export type ApiStatus = 'active' | 'deprecated' | 'retired';

/** An upstream API published through the gateway under its base path. */
@Entity({ name: 'apis', schema: 'enforcement' })
@Index('UQ_apis_base_path', ['basePath'], { unique: true })
export class ApiEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column({ name: 'base_path', type: 'text' })
  basePath: string;

  @Column({ name: 'upstream_url', type: 'text' })
  upstreamUrl: string;

  @Column({ name: 'owner_email', type: 'text' })
  ownerEmail: string;

  @Column('text')
  status: ApiStatus;

  @Column({ name: 'sunset_at', type: 'timestamptz', nullable: true })
  sunsetAt: Date | null;

  /** Catalog version: grows with every change, so consumers can ignore stale states. */
  @Column('integer')
  version: number;

  @Column('jsonb')
  routes: ApiRoute[];

  /** Limits per key on this API, enforced by the gateway. */
  @Column({ name: 'rate_limit', type: 'jsonb', nullable: true })
  rateLimit: RateLimit | null;

  @Column({ type: 'jsonb', nullable: true })
  quota: Quota | null;

  /** When the API was first deprecated; its consumers are those that called it since. */
  @Column({ name: 'deprecated_at', type: 'timestamptz', nullable: true })
  deprecatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @Column({ name: 'retire_reason', type: 'text', nullable: true })
  retireReason: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
