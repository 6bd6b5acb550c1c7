import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One Okta Event Hook delivery, stored before it is acknowledged; Okta's `eventId` makes a redelivery a no-op. */
@Entity({ name: 'event_hook_deliveries', schema: 'identity_sync' })
@Index('IDX_event_hook_deliveries_pending', ['nextAttemptAt'], { where: 'processed_at IS NULL' })
@Index('IDX_event_hook_deliveries_received_at', ['receivedAt'])
export class EventHookDeliveryEntity {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ name: 'event_time', type: 'timestamptz', nullable: true })
  eventTime: Date | null;

  @Column('jsonb')
  body: unknown;

  @Column({ name: 'event_count', type: 'integer' })
  eventCount: number;

  @Column('integer')
  attempts: number;

  /** A worker leases a delivery by pushing this into the future; a crashed worker's lease simply runs out. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
