import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { IdentityStatus } from '@attest/contracts';

export type PrincipalType = 'service' | 'user';
/** The identity provider's word on the principal; what the gateway enforces is derived from it. */
export type PrincipalStatus = IdentityStatus;

/** A service or user that holds keys and grants: created here by an admin or synced with its id from the identity provider. */
@Entity({ name: 'principals', schema: 'enforcement' })
export class PrincipalEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  type: PrincipalType;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  /** Looked up case-insensitively through the expression index "IDX_principals_email_lower" (migration only). */
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column('text')
  status: PrincipalStatus;

  /** The identity provider's own id (Okta user id, SCIM externalId); null for principals created here. */
  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  /** Where the principal's facts come from: `admin`, `okta`, `scim`. */
  @Column('text')
  source: string;

  /** Inactive at the identity provider, but its access is held pending review (ORPHANED_ACCESS_MODE=flag). */
  @Column({ name: 'held_pending_review', type: 'boolean' })
  heldPendingReview: boolean;

  /** When the newest identity event applied to the principal happened; older events are ignored. */
  @Column({ name: 'identity_observed_at', type: 'timestamptz', nullable: true })
  identityObservedAt: Date | null;

  /** Version of the principal's compiled policy; bumped in the transaction of every change to it. */
  @Column({ name: 'policy_version', type: 'integer' })
  policyVersion: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
