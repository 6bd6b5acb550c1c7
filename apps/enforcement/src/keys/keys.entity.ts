import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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

  @Column('text')
  prefix: string;

  /** HMAC-SHA-256 of the secret under API_KEY_PEPPER, hex. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  @Column('text')
  status: ApiKeyStatus;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
