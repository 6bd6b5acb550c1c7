import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SystemLogCursorEntity } from './system-log-cursor.entity';

export interface LogPosition {
  since: Date;
  after: string | null;
}

/** Another replica advanced the cursor first; this poll's writes roll back and it reads again next time. */
export class CursorMovedError extends Error {
  constructor() {
    super('the System Log cursor was advanced by another replica');
  }
}

@Injectable()
export class SystemLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The persisted position; the very first poll starts now, since a full sync covers everything before. */
  async position(): Promise<LogPosition> {
    // Milliseconds, like a JS Date: `advance` compares the stored value with the one read back here.
    await this.dataSource.query(`INSERT INTO identity_sync.system_log_cursor (id, since) VALUES ('okta', date_trunc('milliseconds', now())) ON CONFLICT (id) DO NOTHING`);
    const cursor = await this.cursor();
    return { since: cursor!.since, after: cursor!.after };
  }

  cursor(): Promise<SystemLogCursorEntity | null> {
    return this.dataSource.getRepository(SystemLogCursorEntity).findOneBy({ id: 'okta' });
  }

  /** Moves the cursor from `from` to `to` in the transaction that applied the events, unless someone else moved it. */
  async advance(tx: EntityManager, move: { from: LogPosition; to: LogPosition; applied: number }): Promise<void> {
    const [{ moved }]: Array<{ moved: number }> = await tx.query(
      `WITH moved AS (
         UPDATE identity_sync.system_log_cursor
            SET since = $3, after = $4, events_applied = events_applied + $5, polled_at = now(), last_error = NULL, updated_at = now()
          WHERE id = 'okta' AND since = $1 AND after IS NOT DISTINCT FROM $2
          RETURNING 1)
       SELECT count(*)::int AS moved FROM moved`,
      [move.from.since, move.from.after, move.to.since, move.to.after, move.applied],
    );
    if (moved !== 1) throw new CursorMovedError();
  }

  async recordPoll(error: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE identity_sync.system_log_cursor SET polled_at = now(), last_error = $1 WHERE id = 'okta'`, [error]);
  }
}
