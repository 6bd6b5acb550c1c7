import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Quota, RateLimit } from '@attest/contracts';

/** 'suspended': its principal left the identity provider; it may be restored after review. */
export type ApiKeyStatus = 'active' | 'suspended' | 'revoked';

/** An API key of a principal. Only the prefix and the keyed hash of the secret are stored. */
@Entity({ name: 'api_keys', schema: 'enforcement' })
@Index('UQ_api_keys_prefix', ['prefix'], { unique: true })
@Index('IDX_api_keys_principal', ['principalId'])
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @Column('text')
  name: string;

  /** Who answers for the key (an e-mail): told when an API it calls is deprecated. */
  @Column({ type: 'text', nullable: true })
  owner: string | null;

  @Column('text')
  prefix: string;

  /** HMAC-SHA-256 of the secret under API_KEY_PEPPER, hex. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  @Column('text')
  status: ApiKeyStatus;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Narrowing: the key works only on these APIs (null: every API its principal is granted); GIN index "IDX_api_keys_api_ids" (migration only). */
  @Column({ name: 'api_ids', type: 'uuid', array: true, nullable: true })
  apiIds: string[] | null;

  /** Narrowing: the key carries only these scopes (null: every scope its principal is granted). */
  @Column({ type: 'text', array: true, nullable: true })
  scopes: string[] | null;

  @Column({ name: 'rate_limit', type: 'jsonb', nullable: true })
  rateLimit: RateLimit | null;

  @Column({ type: 'jsonb', nullable: true })
  quota: Quota | null;

  /** The key this one replaced by rotation. */
  @Column({ name: 'rotated_from', type: 'uuid', nullable: true })
  rotatedFrom: string | null;

  /** The key that replaced this one by rotation; this one works only until its grace ends. */
  @Column({ name: 'replaced_by', type: 'uuid', nullable: true })
  replacedBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
