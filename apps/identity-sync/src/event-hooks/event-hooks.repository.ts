import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '../database/returning';
import { EventHookDeliveryDto } from './dto/event-hook.dto';

export interface ClaimedDelivery {
  eventId: string;
  body: EventHookDeliveryDto;
  attempts: number;
}

@Injectable()
export class EventHooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a delivery durably; false when this `eventId` was stored before (an Okta retry). */
  async store(delivery: EventHookDeliveryDto): Promise<boolean> {
    const rows: Array<{ event_id: string }> = await this.dataSource.query(
      `INSERT INTO identity_sync.event_hook_deliveries (event_id, event_time, body, event_count)
       VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [delivery.eventId, delivery.eventTime ?? null, JSON.stringify(delivery), delivery.data.events.length],
    );
    return rows.length === 1;
  }

  /** Leases the oldest due deliveries for `leaseMs`; another worker skips them until the lease runs out. */
  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = returnedRows<{ event_id: string; body: EventHookDeliveryDto; attempts: number; received_at: Date }>(
      await this.dataSource.query(
        `UPDATE identity_sync.event_hook_deliveries d
            SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), attempts = d.attempts + 1
           FROM (SELECT event_id FROM identity_sync.event_hook_deliveries
                  WHERE processed_at IS NULL AND next_attempt_at <= now()
                  ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
          WHERE d.event_id = due.event_id
          RETURNING d.event_id, d.body, d.attempts, d.received_at`,
        [limit, leaseMs],
      ),
    );
    // RETURNING keeps no order; deliveries are applied in the order Okta sent them.
    rows.sort((a, b) => new Date(a.received_at).getTime() - new Date(b.received_at).getTime());
    return rows.map((row) => ({ eventId: row.event_id, body: row.body, attempts: row.attempts }));
  }

  async markProcessed(tx: EntityManager, eventId: string): Promise<void> {
    await tx.query(`UPDATE identity_sync.event_hook_deliveries SET processed_at = now(), last_error = NULL WHERE event_id = $1`, [eventId]);
  }

  async markFailed(eventId: string, failure: { error: string; retryInMs: number }): Promise<void> {
    await this.dataSource.query(
      `UPDATE identity_sync.event_hook_deliveries
          SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE event_id = $1`,
      [eventId, failure.error.slice(0, 1000), failure.retryInMs],
    );
  }

  /** Processed deliveries older than the retention are dropped; Okta stops retrying long before. */
  async prune(olderThanMs: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM identity_sync.event_hook_deliveries
        WHERE processed_at IS NOT NULL AND received_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [olderThanMs],
    );
  }

  async counts(): Promise<{ pending: number; processed: number; failing: number }> {
    const [row]: Array<{ pending: number; processed: number; failing: number }> = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE processed_at IS NOT NULL)::int AS processed,
              count(*) FILTER (WHERE processed_at IS NULL AND last_error IS NOT NULL)::int AS failing
         FROM identity_sync.event_hook_deliveries`,
    );
    return row;
  }
}
