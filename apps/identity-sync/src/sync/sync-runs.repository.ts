import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { SyncCursor, SyncStage, START_CURSOR } from './domain/sync-stage';
import { SyncRunEntity, SyncRunError, SyncRunStatus } from './sync-run.entity';

/** What one committed page adds to a run, written in the page's own transaction. */
export interface SyncProgress {
  stage: SyncStage;
  cursor: SyncCursor;
  pages: number;
  users: number;
  groups: number;
  memberships: number;
  deleted: number;
  events: number;
  rateLimitWaits: number;
  rateLimitPauses: number;
  rateLimitWaitedMs: number;
}

@Injectable()
export class SyncRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(trigger: string): Promise<SyncRunEntity> {
    const id = randomUUID();
    await this.dataSource.query(`INSERT INTO identity_sync.sync_runs (id, status, trigger, stage, cursor) VALUES ($1, 'running', $2, 'users', $3)`, [
      id,
      trigger,
      JSON.stringify(START_CURSOR),
    ]);
    return (await this.find(id))!;
  }

  find(id: string): Promise<SyncRunEntity | null> {
    return this.dataSource.getRepository(SyncRunEntity).findOneBy({ id });
  }

  async latest(): Promise<SyncRunEntity | null> {
    const [run] = await this.dataSource.getRepository(SyncRunEntity).find({ order: { startedAt: 'DESC' }, take: 1 });
    return run ?? null;
  }

  async lastSucceeded(): Promise<SyncRunEntity | null> {
    const [run] = await this.dataSource
      .getRepository(SyncRunEntity)
      .find({ where: { status: 'succeeded' }, order: { startedAt: 'DESC' }, take: 1 });
    return run ?? null;
  }

  /** Puts a stopped run back to work: same id, same cursor, one more attempt. */
  async resume(id: string): Promise<SyncRunEntity> {
    await this.dataSource.query(
      `UPDATE identity_sync.sync_runs SET status = 'running', attempts = attempts + 1, finished_at = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
    return (await this.find(id))!;
  }

  async recordProgress(tx: EntityManager, id: string, progress: SyncProgress): Promise<void> {
    await tx.query(
      `UPDATE identity_sync.sync_runs SET
         stage = $2, cursor = $3, pages = pages + $4, users = users + $5, groups = groups + $6,
         memberships = memberships + $7, deleted = deleted + $8, events_published = events_published + $9,
         rate_limit_waits = rate_limit_waits + $10, rate_limit_pauses = rate_limit_pauses + $11,
         rate_limit_waited_ms = rate_limit_waited_ms + $12, updated_at = now()
       WHERE id = $1`,
      [
        id,
        progress.stage,
        JSON.stringify(progress.cursor),
        progress.pages,
        progress.users,
        progress.groups,
        progress.memberships,
        progress.deleted,
        progress.events,
        progress.rateLimitWaits,
        progress.rateLimitPauses,
        Math.round(progress.rateLimitWaitedMs),
      ],
    );
  }

  async recordError(id: string, error: SyncRunError): Promise<void> {
    // Only the most recent errors are kept: a run retrying for hours must not grow without bound.
    await this.dataSource.query(
      `UPDATE identity_sync.sync_runs
          SET errors = (SELECT coalesce(jsonb_agg(t.value ORDER BY t.ord), '[]'::jsonb)
                          FROM jsonb_array_elements(errors || jsonb_build_array($2::jsonb)) WITH ORDINALITY AS t(value, ord)
                         WHERE t.ord > jsonb_array_length(errors) + 1 - 50),
              updated_at = now()
        WHERE id = $1`,
      [id, JSON.stringify(error)],
    );
  }

  async finish(id: string, status: Exclude<SyncRunStatus, 'running'>, tx: EntityManager = this.dataSource.manager): Promise<void> {
    await tx.query(
      `UPDATE identity_sync.sync_runs SET status = $2, finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() END, updated_at = now() WHERE id = $1`,
      [id, status],
    );
  }

  /** A run left `running` by a process that died holding no lock any more is merely interrupted. */
  async markOrphansInterrupted(exceptId: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE identity_sync.sync_runs SET status = 'interrupted', updated_at = now() WHERE status = 'running' AND id IS DISTINCT FROM $1`,
      [exceptId],
    );
  }
}
