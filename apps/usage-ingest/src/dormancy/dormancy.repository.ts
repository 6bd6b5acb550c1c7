import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TOPICS } from '@attest/contracts';
import { envelopeSql, isoUtc, OUTBOX_CHANNEL } from '../outbox/outbox-envelope.sql';

const DORMANT_EVENT = envelopeSql({
  topic: TOPICS.usageSignals,
  eventId: 'event_id',
  subject: 'grant_id::text',
  data: `jsonb_build_object('kind', 'dormant', 'grantId', grant_id, 'lastUsedAt', ${isoUtc('last_used_at')},
           'daysSinceUse', floor(extract(epoch FROM $1::timestamptz - last_used_at) / 86400)::int)`,
});

/**
 * Active grants idle (since their last use, or their creation when never used) for the threshold,
 * not yet signalled for this idle period, are marked and signalled in one statement. A concurrent
 * check by another replica waits on the marked rows and then finds them already signalled, so each
 * period is signalled once; a grant used again moves its idle start and can be signalled again.
 */
const SIGNAL_DORMANT = `
WITH idle AS (
  SELECT g.grant_id, u.last_used_at, coalesce(u.last_used_at, g.created_at) AS idle_since
  FROM usage_ingest.grants g
  LEFT JOIN usage_ingest.grant_usage u ON u.grant_id = g.grant_id
  LEFT JOIN usage_ingest.dormancy_signals s ON s.grant_id = g.grant_id
  WHERE g.status = 'active'
    AND coalesce(u.last_used_at, g.created_at) <= $1::timestamptz - $2::float8 * interval '1 day'
    AND (s.grant_id IS NULL OR s.idle_since < coalesce(u.last_used_at, g.created_at))
), marked AS (
  INSERT INTO usage_ingest.dormancy_signals AS s (grant_id, idle_since, signalled_at)
  SELECT grant_id, idle_since, $1 FROM idle ORDER BY grant_id
  ON CONFLICT (grant_id) DO UPDATE SET idle_since = EXCLUDED.idle_since, signalled_at = EXCLUDED.signalled_at
    WHERE s.idle_since < EXCLUDED.idle_since
  RETURNING grant_id
), events AS MATERIALIZED (
  SELECT gen_random_uuid() AS event_id, i.grant_id, i.last_used_at FROM marked m JOIN idle i ON i.grant_id = m.grant_id
), outboxed AS (
  INSERT INTO usage_ingest.outbox (event_id, topic, message_key, envelope)
  SELECT event_id, '${TOPICS.usageSignals}', grant_id::text, ${DORMANT_EVENT} FROM events ORDER BY grant_id
  RETURNING 1
)
SELECT count(*)::int AS signalled,
       (SELECT count(*) FROM (SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM outboxed LIMIT 1) n)::int AS notified
FROM outboxed`;

@Injectable()
export class DormancyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Signals every grant that crossed the threshold by `now`; returns how many. */
  async signalDormant(options: { now: Date; dormancyDays: number }): Promise<number> {
    const [row]: Array<{ signalled: number }> = await this.dataSource.query(SIGNAL_DORMANT, [options.now, options.dormancyDays]);
    return row.signalled;
  }
}
