import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A group from Okta or pushed over SCIM; memberships name it by this id. */
@Entity({ name: 'groups', schema: 'identity_sync' })
@Index('UQ_groups_okta_id', ['oktaId'], { unique: true })
export class GroupEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column('text')
  status: 'active' | 'deleted';

  @Column({ name: 'okta_id', type: 'text', nullable: true })
  oktaId: string | null;

  @Column({ name: 'okta_last_updated', type: 'timestamptz', nullable: true })
  oktaLastUpdated: Date | null;

  @Column({ name: 'okta_refreshed_at', type: 'timestamptz', nullable: true })
  oktaRefreshedAt: Date | null;

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
