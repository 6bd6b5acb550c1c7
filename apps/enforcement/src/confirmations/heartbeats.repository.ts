import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GatewayApplied, TOPICS } from '@attest/contracts';
import { GatewayReplicaEntity } from './gateway-replica.entity';

/** The topics gateways apply and enforcement confirms. */
const CONFIRMED_TOPICS = [TOPICS.policyState, TOPICS.catalogState];

/** Gateway replicas and the confirmation of published states from their heartbeats, all set-based. */
@Injectable()
export class HeartbeatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the heartbeat unless a newer one of the replica is already held; true when stored. */
  async upsertReplica(tx: EntityManager, heartbeat: GatewayApplied): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO enforcement.gateway_replicas AS r (id, started_at, last_seen_at, ready, staleness_ms, lag, positions, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (id) DO UPDATE SET
         started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at, ready = EXCLUDED.ready,
         staleness_ms = EXCLUDED.staleness_ms, lag = EXCLUDED.lag, positions = EXCLUDED.positions, received_at = now()
       WHERE EXCLUDED.last_seen_at > r.last_seen_at
       RETURNING id`,
      [
        heartbeat.gatewayId,
        heartbeat.startedAt,
        heartbeat.at,
        heartbeat.ready,
        heartbeat.stalenessMs,
        heartbeat.lag,
        JSON.stringify(heartbeat.positions),
      ],
    );
    return rows.length > 0;
  }

  /**
   * Copies where the relay put each published state (outbox_published, which it prunes after a day)
   * onto the state change, so it can be confirmed however late the heartbeats come.
   */
  async locatePublished(tx: EntityManager): Promise<void> {
    await tx.query(
      `UPDATE enforcement.state_changes sc
       SET kafka_partition = op.kafka_partition, kafka_offset = op.kafka_offset, published_at = op.published_at
       FROM enforcement.outbox_published op
       WHERE sc.kafka_offset IS NULL AND op.event_id = sc.event_id`,
    );
  }

  /**
   * Marks enforced, at the heartbeat's time, every published state that every replica live at that
   * time has read past: its position on the state's partition is above the state's offset. The same
   * rule as `isEnforced`, in one statement.
   */
  async confirmEnforced(tx: EntityManager, input: { at: string; silentAfterMs: number }): Promise<number> {
    const rows: Array<{ confirmed: number }> = await tx.query(
      `WITH live AS (
         SELECT id, positions FROM enforcement.gateway_replicas
         WHERE last_seen_at >= $1::timestamptz - make_interval(secs => $2::double precision / 1000)
       ), applied AS (
         SELECT l.id, p.topic, p.partition, p."offset"::bigint AS next_offset
         FROM live l CROSS JOIN LATERAL jsonb_to_recordset(l.positions) AS p(topic text, partition int, "offset" text)
       ), confirmed AS (
         UPDATE enforcement.state_changes sc SET enforced_at = $1::timestamptz
         WHERE sc.enforced_at IS NULL AND sc.kafka_offset IS NOT NULL AND sc.topic = ANY($3::text[])
           AND EXISTS (SELECT 1 FROM live)
           AND NOT EXISTS (
             SELECT 1 FROM live l
             WHERE NOT EXISTS (
               SELECT 1 FROM applied a
               WHERE a.id = l.id AND a.topic = sc.topic AND a.partition = sc.kafka_partition AND a.next_offset > sc.kafka_offset
             )
           )
         RETURNING 1
       )
       SELECT count(*)::int AS confirmed FROM confirmed`,
      [input.at, input.silentAfterMs, CONFIRMED_TOPICS],
    );
    await this.confirmImplied(tx);
    return rows[0]?.confirmed ?? 0;
  }

  /**
   * A state whose subject has a later state enforced is enforced too, at that time at the latest: one
   * key's states share a partition, and replicas apply a partition in order. This covers a state whose
   * landing place was pruned before any heartbeat came, which could otherwise never be confirmed.
   */
  private async confirmImplied(tx: EntityManager): Promise<void> {
    await tx.query(
      `UPDATE enforcement.state_changes sc SET enforced_at = later.enforced_at
       FROM (
         SELECT u.event_id, min(l.enforced_at) AS enforced_at
         FROM enforcement.state_changes u
         JOIN enforcement.state_changes l ON l.topic = u.topic AND l.subject = u.subject AND l.version > u.version AND l.enforced_at IS NOT NULL
         WHERE u.enforced_at IS NULL
         GROUP BY u.event_id
       ) later
       WHERE sc.event_id = later.event_id`,
    );
  }

  /** Replicas heard from since `since`, newest first. */
  recentReplicas(since: Date): Promise<GatewayReplicaEntity[]> {
    return this.dataSource
      .getRepository(GatewayReplicaEntity)
      .createQueryBuilder('replica')
      .where('replica.lastSeenAt >= :since', { since })
      .orderBy('replica.id', 'ASC')
      .getMany();
  }

  /** States not yet confirmed by every live replica (published or still in the outbox), and when the oldest was made. */
  async unconfirmed(): Promise<{ count: number; oldestCreatedAt: Date | null }> {
    const [row]: Array<{ count: number; oldest: Date | null }> = await this.dataSource.query(
      `SELECT count(*)::int AS count, min(created_at) AS oldest FROM enforcement.state_changes WHERE enforced_at IS NULL`,
    );
    return { count: row?.count ?? 0, oldestCreatedAt: row?.oldest ?? null };
  }
}
