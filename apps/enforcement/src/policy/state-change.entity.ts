import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One published policy or catalog state: where it landed on its topic, and when every live gateway
 * replica had applied it (`enforcedAt`), so an admin can see when a change took effect everywhere.
 */
@Entity({ name: 'state_changes', schema: 'enforcement' })
@Index('IDX_state_changes_subject', ['topic', 'subject', 'version'])
@Index('IDX_state_changes_unenforced', ['topic', 'kafkaPartition', 'kafkaOffset'], { where: 'enforced_at IS NULL' })
@Index('IDX_state_changes_unlocated', ['eventId'], { where: 'kafka_offset IS NULL' })
export class StateChangeEntity {
  /** The envelope id of the published state, as in the outbox and outbox_published. */
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column('text')
  topic: string;

  /** The message key: principal id for policy.state.v1, API id for catalog.state.v1. */
  @Column('text')
  subject: string;

  @Column('integer')
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'kafka_partition', type: 'integer', nullable: true })
  kafkaPartition: number | null;

  /** Copied from outbox_published once the relay has recorded it; a string, as bigint comes from the driver. */
  @Column({ name: 'kafka_offset', type: 'bigint', nullable: true })
  kafkaOffset: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /** The first heartbeat time at which every live replica reported a position past this event. */
  @Column({ name: 'enforced_at', type: 'timestamptz', nullable: true })
  enforcedAt: Date | null;
}
