import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One principal's membership of one group. A removal is kept as `isMember = false` with its time,
 * so an older `added` arriving late cannot bring the membership back.
 */
@Entity({ name: 'group_memberships', schema: 'review_scheduler' })
@Index('IDX_review_scheduler_group_memberships_group', ['groupId'], { where: 'is_member' })
export class GroupMembership {
  @PrimaryColumn({ name: 'principal_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_scheduler_group_memberships' })
  principalId: string;

  @PrimaryColumn({ name: 'group_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_scheduler_group_memberships' })
  groupId: string;

  @Column({ name: 'group_name', type: 'text' })
  groupName: string;

  @Column({ name: 'is_member', type: 'boolean' })
  isMember: boolean;

  @Column({ name: 'observed_at', type: 'timestamptz' })
  observedAt: Date;
}
