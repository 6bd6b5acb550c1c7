import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SyncCursor, SyncStage } from './domain/sync-stage';

export type SyncRunStatus = 'running' | 'interrupted' | 'succeeded' | 'failed';

export interface SyncRunError {
  at: string;
  stage: SyncStage;
  message: string;
}

/** One full sync with Okta: where it is (stage and cursor), what it did, and what went wrong. */
@Entity({ name: 'sync_runs', schema: 'identity_sync' })
@Index('IDX_sync_runs_started_at', ['startedAt'])
export class SyncRunEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  status: SyncRunStatus;

  /** What started it: `api`, `startup`, `schedule`. */
  @Column('text')
  trigger: string;

  @Column('text')
  stage: SyncStage;

  @Column('jsonb')
  cursor: SyncCursor;

  /** 1, plus one for each time an interrupted or failed run was resumed. */
  @Column('integer')
  attempts: number;

  @Column('integer')
  users: number;

  @Column('integer')
  groups: number;

  @Column('integer')
  memberships: number;

  @Column('integer')
  deleted: number;

  @Column({ name: 'events_published', type: 'integer' })
  eventsPublished: number;

  @Column('integer')
  pages: number;

  @Column({ name: 'rate_limit_waits', type: 'integer' })
  rateLimitWaits: number;

  @Column({ name: 'rate_limit_pauses', type: 'integer' })
  rateLimitPauses: number;

  @Column({ name: 'rate_limit_waited_ms', type: 'bigint' })
  rateLimitWaitedMs: string;

  @Column('jsonb')
  errors: SyncRunError[];

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
