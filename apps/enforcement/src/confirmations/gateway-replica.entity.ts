import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AppliedPosition } from './domain/replica-state';

/** A gateway replica as its newest heartbeat on gateway.applied.v1 describes it. */
@Entity({ name: 'gateway_replicas', schema: 'enforcement' })
@Index('IDX_gateway_replicas_last_seen', ['lastSeenAt'])
export class GatewayReplicaEntity {
  /** The replica's gateway id (the heartbeat's key). */
  @PrimaryColumn('text')
  id: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  /** The newest heartbeat's own time (`at`), so replaying old heartbeats never makes a dead replica look live. */
  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  @Column('boolean')
  ready: boolean;

  @Column({ name: 'staleness_ms', type: 'double precision' })
  stalenessMs: number;

  /** A string, as bigint comes from the driver. */
  @Column('bigint')
  lag: string;

  @Column('jsonb')
  positions: AppliedPosition[];

  /** When enforcement took the heartbeat in. */
  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
