import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TOPICS } from '@attest/contracts';

/** The topics whose published states the gateways confirm. */
export type StateTopic = typeof TOPICS.policyState | typeof TOPICS.catalogState;

export interface StateChangeView {
  eventId: string;
  version: number;
  createdAt: string;
  /** When the relay put it on the topic; null while it waits in the outbox. */
  publishedAt: string | null;
  /** When every live gateway replica had applied it; null until then. */
  enforcedAt: string | null;
}

export interface LatestStateChange {
  version: number;
  enforcedAt: string | null;
}

interface StateChangeRow {
  event_id: string;
  version: number;
  created_at: Date;
  published_at: Date | null;
  enforced_at: Date | null;
}

/** The log of published policy and catalog states, written in the transaction that publishes each. */
@Injectable()
export class StateChangesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(tx: EntityManager, change: { eventId: string; topic: StateTopic; subject: string; version: number }): Promise<void> {
    await tx.query(
      `INSERT INTO enforcement.state_changes (event_id, topic, subject, version, created_at) VALUES ($1, $2, $3, $4, now())`,
      [change.eventId, change.topic, change.subject, change.version],
    );
  }

  /** The newest changes of one subject first; where it landed comes from the relay's record until a heartbeat copies it. */
  async list(query: { topic: StateTopic; subject: string; limit: number }): Promise<StateChangeView[]> {
    const rows: StateChangeRow[] = await this.dataSource.query(
      `SELECT sc.event_id, sc.version, sc.created_at, coalesce(sc.published_at, op.published_at) AS published_at, sc.enforced_at
       FROM enforcement.state_changes sc
       LEFT JOIN enforcement.outbox_published op ON op.event_id = sc.event_id
       WHERE sc.topic = $1 AND sc.subject = $2
       ORDER BY sc.version DESC, sc.created_at DESC
       LIMIT $3`,
      [query.topic, query.subject, query.limit],
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      publishedAt: row.published_at?.toISOString() ?? null,
      enforcedAt: row.enforced_at?.toISOString() ?? null,
    }));
  }

  /** The newest change of each subject, in one statement. */
  async latest(query: { topic: StateTopic; subjects: string[] }): Promise<Map<string, LatestStateChange>> {
    if (query.subjects.length === 0) return new Map();
    const rows: Array<{ subject: string; version: number; enforced_at: Date | null }> = await this.dataSource.query(
      `SELECT DISTINCT ON (subject) subject, version, enforced_at
       FROM enforcement.state_changes
       WHERE topic = $1 AND subject = ANY($2::text[])
       ORDER BY subject, version DESC, created_at DESC`,
      [query.topic, [...new Set(query.subjects)]],
    );
    return new Map(rows.map((row) => [row.subject, { version: row.version, enforcedAt: row.enforced_at?.toISOString() ?? null }]));
  }
}
