import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TOPICS } from '@attest/contracts';
import { envelopeSql, isoUtc, OUTBOX_CHANNEL } from '../outbox/outbox-envelope.sql';
import { KeyCall } from './domain/key-call';
import { reduceCalls } from './domain/usage-batch';

export interface GrantUsageRow {
  grantId: string;
  lastUsedAt: Date | null;
  requests: number;
}

export interface ApiUsageRow {
  apiId: string;
  lastUsedAt: Date | null;
  requests: number;
}

export interface RecordedCalls {
  /** usage.last-used.v1 events put in the outbox. */
  lastUsedPublished: number;
  /** usage.signals.v1 first-use events put in the outbox. */
  firstUses: number;
}

const LAST_USED_EVENT = envelopeSql({
  topic: TOPICS.usageLastUsed,
  eventId: 'event_id',
  subject: 'message_key',
  data: `jsonb_build_object('keyId', key_id, 'principalId', principal_id, 'apiId', api_id, 'grantId', grant_id,
           'lastUsedAt', ${isoUtc('last_used_at')}, 'requests', requests)`,
});

const FIRST_USE_EVENT = envelopeSql({
  topic: TOPICS.usageSignals,
  eventId: 'event_id',
  subject: 'grant_id::text',
  data: `jsonb_build_object('kind', 'first-use', 'grantId', grant_id, 'lastUsedAt', ${isoUtc('last_used_at')},
           'daysSinceUse', greatest(0, floor(extract(epoch FROM now() - last_used_at) / 86400))::int)`,
});

/**
 * One statement per batch, its increments already reduced to one per row (see `reduceCalls`) and
 * passed as arrays; the events they cause go to the outbox in the same statement.
 *
 * A (key, API) last-used is published on first use and when it moved past the last published value
 * by more than the interval. The decision reads the row as the statement found it; that is exact
 * because the gateway keys access logs by key id, so one key's calls are never ingested concurrently.
 * A grant's first use is told by `xmax = 0` on its upserted row: only the inserting transaction sees it.
 */
const RECORD_CALLS = `
WITH daily AS (
  INSERT INTO usage_ingest.usage_daily AS d (key_id, grant_id, route, day, requests, last_used_at)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::int[], $6::timestamptz[])
  ON CONFLICT (key_id, grant_id, route, day) DO UPDATE
    SET requests = d.requests + EXCLUDED.requests,
        last_used_at = greatest(d.last_used_at, EXCLUDED.last_used_at)
), granted AS (
  INSERT INTO usage_ingest.grant_usage AS g (grant_id, requests, last_used_at)
  SELECT * FROM unnest($7::uuid[], $8::int[], $9::timestamptz[])
  ON CONFLICT (grant_id) DO UPDATE
    SET requests = g.requests + EXCLUDED.requests,
        last_used_at = greatest(g.last_used_at, EXCLUDED.last_used_at)
  RETURNING grant_id, last_used_at, xmax = 0 AS first_use
), per_key AS (
  SELECT c.*, p.key_id IS NULL OR c.last_used_at > p.published_last_used_at + $16::float8 * interval '1 millisecond' AS publish,
         greatest(c.last_used_at, p.last_used_at) AS newest, p.published_last_used_at
  FROM unnest($10::uuid[], $11::uuid[], $12::uuid[], $13::uuid[], $14::int[], $15::timestamptz[])
    AS c(key_id, api_id, principal_id, grant_id, requests, last_used_at)
  LEFT JOIN usage_ingest.key_api_usage p ON p.key_id = c.key_id AND p.api_id = c.api_id
), key_api AS (
  INSERT INTO usage_ingest.key_api_usage AS k
    (key_id, api_id, principal_id, grant_id, last_used_at, requests, published_last_used_at)
  SELECT key_id, api_id, principal_id, grant_id, last_used_at, requests,
         CASE WHEN publish THEN newest ELSE published_last_used_at END
  FROM per_key
  ON CONFLICT (key_id, api_id) DO UPDATE SET
    principal_id = CASE WHEN EXCLUDED.last_used_at >= k.last_used_at THEN EXCLUDED.principal_id ELSE k.principal_id END,
    grant_id = CASE WHEN EXCLUDED.last_used_at >= k.last_used_at THEN coalesce(EXCLUDED.grant_id, k.grant_id)
                    ELSE coalesce(k.grant_id, EXCLUDED.grant_id) END,
    last_used_at = greatest(k.last_used_at, EXCLUDED.last_used_at),
    requests = k.requests + EXCLUDED.requests,
    published_last_used_at = greatest(k.published_last_used_at, EXCLUDED.published_last_used_at)
  RETURNING k.key_id, k.api_id, k.principal_id, k.grant_id, k.last_used_at, k.requests
), last_used_events AS MATERIALIZED (
  SELECT gen_random_uuid() AS event_id, k.key_id::text || ':' || k.api_id::text AS message_key, k.*
  FROM key_api k JOIN per_key p ON p.key_id = k.key_id AND p.api_id = k.api_id
  WHERE p.publish
), first_use_events AS MATERIALIZED (
  SELECT gen_random_uuid() AS event_id, grant_id, last_used_at FROM granted WHERE first_use
), outboxed AS (
  INSERT INTO usage_ingest.outbox (event_id, topic, message_key, envelope)
  SELECT event_id, topic, message_key, envelope FROM (
    SELECT event_id, '${TOPICS.usageLastUsed}' AS topic, message_key, ${LAST_USED_EVENT} AS envelope FROM last_used_events
    UNION ALL
    SELECT event_id, '${TOPICS.usageSignals}', grant_id::text, ${FIRST_USE_EVENT} FROM first_use_events
  ) e
  ORDER BY topic, message_key
  RETURNING topic
)
SELECT count(*) FILTER (WHERE topic = '${TOPICS.usageLastUsed}')::int AS last_used,
       count(*) FILTER (WHERE topic = '${TOPICS.usageSignals}')::int AS first_uses,
       (SELECT count(*) FROM (SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM outboxed LIMIT 1) n)::int AS notified
FROM outboxed`;

@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds a batch of calls, and the events they cause, in one statement. */
  async recordCalls(tx: EntityManager, batch: { calls: readonly KeyCall[]; publishIntervalMs: number }): Promise<RecordedCalls> {
    const { calls, publishIntervalMs } = batch;
    if (calls.length === 0) return { lastUsedPublished: 0, firstUses: 0 };
    const { daily, grants, keyApis } = reduceCalls(calls);
    const [row]: Array<{ last_used: number; first_uses: number }> = await tx.query(RECORD_CALLS, [
      daily.map((d) => d.keyId),
      daily.map((d) => d.grantId),
      daily.map((d) => d.route),
      daily.map((d) => d.day),
      daily.map((d) => d.requests),
      daily.map((d) => d.lastUsedAt),
      grants.map((g) => g.grantId),
      grants.map((g) => g.requests),
      grants.map((g) => g.lastUsedAt),
      keyApis.map((k) => k.keyId),
      keyApis.map((k) => k.apiId),
      keyApis.map((k) => k.principalId),
      keyApis.map((k) => k.grantId),
      keyApis.map((k) => k.requests),
      keyApis.map((k) => k.lastUsedAt),
      publishIntervalMs,
    ]);
    return { lastUsedPublished: row.last_used, firstUses: row.first_uses };
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

  /** Every key's calls to the API; an API nobody called (or that does not exist) has none. */
  async findApiUsage(apiId: string): Promise<ApiUsageRow> {
    const [row]: Array<{ last_used_at: Date | null; requests: string }> = await this.dataSource.query(
      `SELECT max(last_used_at) AS last_used_at, coalesce(sum(requests), 0) AS requests
       FROM usage_ingest.key_api_usage WHERE api_id = $1`,
      [apiId],
    );
    return { apiId, lastUsedAt: row.last_used_at, requests: Number(row.requests) };
  }
}
