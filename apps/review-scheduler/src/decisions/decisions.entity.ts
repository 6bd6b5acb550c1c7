import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ReviewDecisionKind } from '@attest/contracts';

/** A reviewer's recorded decision on one grant; announced on review.decisions.v1 when recorded. */
@Entity({ name: 'decisions', schema: 'review_scheduler' })
@Index('IDX_review_scheduler_decisions_grant', ['grantId', 'decidedAt'])
export class Decision {
  @PrimaryColumn({ name: 'decision_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_scheduler_decisions' })
  decisionId: string;

  @Column({ name: 'grant_id', type: 'uuid' })
  grantId: string;

  @Column({ type: 'text' })
  decision: ReviewDecisionKind;

  @Column({ type: 'text' })
  reviewer: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;
}
