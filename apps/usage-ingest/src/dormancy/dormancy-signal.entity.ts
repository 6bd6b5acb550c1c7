import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The dormancy period a grant was last signalled for, named by the time it has been idle since (its
 * last use, or its creation): a grant used again starts a new period and can be signalled again.
 */
@Entity({ name: 'dormancy_signals', schema: 'usage_ingest' })
export class DormancySignal {
  @PrimaryColumn({ name: 'grant_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_ingest_dormancy_signals' })
  grantId: string;

  @Column({ name: 'idle_since', type: 'timestamptz' })
  idleSince: Date;

  @Column({ name: 'signalled_at', type: 'timestamptz' })
  signalledAt: Date;
}
