import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GrantedCall } from './domain/granted-call';

export interface GrantUsageRow {
  grantId: string;
  lastUsedAt: Date | null;
  requests: number;
}

@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds any number of calls in one statement. Calls are grouped first because one INSERT ... ON
   * CONFLICT may not update the same row twice; days are UTC so every replica buckets alike.
   */
  async addGrantedCalls(tx: EntityManager, calls: readonly GrantedCall[]): Promise<void> {
    if (calls.length === 0) return;
    await tx.query(
      `WITH calls AS (
         SELECT key_id, grant_id, route, at
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[]) AS c(key_id, grant_id, route, at)
       ), daily AS (
         INSERT INTO usage_ingest.usage_daily AS d (key_id, grant_id, route, day, requests, last_used_at)
         SELECT key_id, grant_id, route, (at AT TIME ZONE 'UTC')::date, count(*), max(at)
         FROM calls
         GROUP BY key_id, grant_id, route, (at AT TIME ZONE 'UTC')::date
         ON CONFLICT (key_id, grant_id, route, day) DO UPDATE
           SET requests = d.requests + EXCLUDED.requests,
               last_used_at = greatest(d.last_used_at, EXCLUDED.last_used_at)
       )
       INSERT INTO usage_ingest.grant_usage AS g (grant_id, last_used_at, requests)
       SELECT grant_id, max(at), count(*)
       FROM calls
       GROUP BY grant_id
       ON CONFLICT (grant_id) DO UPDATE
         SET requests = g.requests + EXCLUDED.requests,
             last_used_at = greatest(g.last_used_at, EXCLUDED.last_used_at)`,
      [calls.map((c) => c.keyId), calls.map((c) => c.grantId), calls.map((c) => c.route), calls.map((c) => c.at)],
    );
  }

  /** The grant's usage, or null when the grant itself is unknown (a grant never used has zero requests). */
  async findGrantUsage(grantId: string): Promise<GrantUsageRow | null> {
    const rows: Array<{ grant_id: string; last_used_at: Date | null; requests: string }> = await this.dataSource.query(
      `SELECT g.grant_id, u.last_used_at, coalesce(u.requests, 0) AS requests
       FROM usage_ingest.grants g
       LEFT JOIN usage_ingest.grant_usage u ON u.grant_id = g.grant_id
       WHERE g.grant_id = $1`,
      [grantId],
    );
    const row = rows[0];
    return row ? { grantId: row.grant_id, lastUsedAt: row.last_used_at, requests: Number(row.requests) } : null;
  }
}
