import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One principal in one group. */
@Entity({ name: 'memberships', schema: 'identity_sync' })
@Index('IDX_memberships_principal', ['principalId'])
export class MembershipEntity {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId: string;

  @PrimaryColumn({ name: 'principal_id', type: 'uuid' })
  principalId: string;

  @Column('text')
  source: string;

  /** When Okta last listed this membership; a group's full re-read removes the ones it no longer lists. */
  @Column({ name: 'okta_refreshed_at', type: 'timestamptz', nullable: true })
  oktaRefreshedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
