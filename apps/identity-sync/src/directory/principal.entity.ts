import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { IdentityStatus } from '@attest/contracts';

/** A person or service known from the identity provider; `id` is the Attest principal id shared by every service. */
@Entity({ name: 'principals', schema: 'identity_sync' })
@Index('UQ_principals_okta_id', ['oktaId'], { unique: true })
export class PrincipalEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  type: 'user' | 'service';

  @Column({ name: 'user_name', type: 'text' })
  userName: string;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'given_name', type: 'text', nullable: true })
  givenName: string | null;

  @Column({ name: 'family_name', type: 'text', nullable: true })
  familyName: string | null;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'text', nullable: true })
  department: string | null;

  @Column('text')
  status: IdentityStatus;

  @Column({ name: 'manager_principal_id', type: 'uuid', nullable: true })
  managerPrincipalId: string | null;

  @Column({ name: 'manager_okta_id', type: 'text', nullable: true })
  managerOktaId: string | null;

  @Column({ name: 'okta_id', type: 'text', nullable: true })
  oktaId: string | null;

  @Column({ name: 'okta_status', type: 'text', nullable: true })
  oktaStatus: string | null;

  @Column({ name: 'okta_last_updated', type: 'timestamptz', nullable: true })
  oktaLastUpdated: Date | null;

  /** When Okta last confirmed the user exists; a full sync deletes Okta users it did not see. */
  @Column({ name: 'okta_refreshed_at', type: 'timestamptz', nullable: true })
  oktaRefreshedAt: Date | null;

  /** When the user's Okta group list was last read (and written); an older read of it is not applied. */
  @Column({ name: 'okta_memberships_read_at', type: 'timestamptz', nullable: true })
  oktaMembershipsReadAt: Date | null;

  @Column({ name: 'scim_managed', type: 'boolean' })
  scimManaged: boolean;

  @Column({ name: 'scim_external_id', type: 'text', nullable: true })
  scimExternalId: string | null;

  @Column('text')
  source: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
