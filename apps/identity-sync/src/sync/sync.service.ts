import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { OktaClient } from '../okta/okta.client';
import { StartSyncDto } from './dto/start-sync.dto';
import { StartSyncResponse, SyncRunView } from './dto/sync-status.dto';
import { FullSyncRunner } from './full-sync.runner';
import { SyncRunEntity } from './sync-run.entity';
import { SyncError } from './sync.errors';
import { SyncRunsRepository } from './sync-runs.repository';

export interface FullSyncSchedule {
  /** Resume an interrupted run at start, or run the first one when none ever succeeded. */
  onStart: boolean;
  /** Start a new run when the last success is older than this; 0 never. */
  intervalMs: number;
}

export const FULL_SYNC_SCHEDULE = Symbol('FULL_SYNC_SCHEDULE');

/** Held on a dedicated connection for the whole run: the one lock that says "a full sync runs" across replicas. */
const RUN_LOCK = 'attest:identity-sync:full-sync';

interface ActiveRun {
  id: string;
  abort: AbortController;
  done: Promise<void>;
}

/** Starts, resumes, schedules and stops full syncs; at most one runs at a time across all replicas. */
@Injectable()
export class SyncService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SyncService.name);
  private active: ActiveRun | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    private readonly okta: OktaClient,
    private readonly runner: FullSyncRunner,
    private readonly runs: SyncRunsRepository,
    private readonly dataSource: DataSource,
    @Inject(FULL_SYNC_SCHEDULE) private readonly schedule: FullSyncSchedule,
  ) {}

  get runningRunId(): string | null {
    return this.active?.id ?? null;
  }

  onApplicationBootstrap(): void {
    if (!this.okta.enabled) return;
    if (this.schedule.onStart) void this.startIfDue('startup');
    if (this.schedule.intervalMs > 0) {
      this.timer = setInterval(() => void this.startIfDue('schedule'), Math.min(this.schedule.intervalMs, 60_000));
      this.timer.unref();
    }
  }

  /** Stops a running sync at its next page boundary; it stays resumable from its last committed page. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const active = this.active;
    if (!active) return;
    active.abort.abort();
    this.okta.budget.releaseWaiters();
    await active.done;
  }

  /** `POST /v1/sync`: resumes the last unfinished run (even a failed one) unless told to start fresh. */
  async start(request: StartSyncDto, trigger = 'api'): Promise<StartSyncResponse> {
    if (!this.okta.enabled) throw new SyncError('SYNC.OKTA_NOT_CONFIGURED', 'Okta is not configured (set OKTA_ORG_URL and OKTA_API_TOKEN)');
    await this.settleFinishedRun();
    const started = await this.launch({ trigger, fresh: request.fresh, resumeFailed: true });
    if (!started) throw new SyncError('SYNC.ALREADY_RUNNING', 'a full sync is already running');
    return { runId: started.run.id, resumed: started.resumed, statusUrl: '/v1/sync/status' };
  }

  async view(id: string): Promise<SyncRunView> {
    const run = await this.runs.find(id);
    if (!run) throw new SyncError('SYNC.RUN_NOT_FOUND', `no sync run with id ${id}`);
    return toView(run);
  }

  async lastRun(): Promise<SyncRunView | null> {
    const run = await this.runs.latest();
    return run ? toView(run) : null;
  }

  /** A run that already recorded its end may still be releasing its lock; a new request waits for that instead of a 409. */
  private async settleFinishedRun(): Promise<void> {
    const active = this.active;
    if (!active) return;
    const run = await this.runs.find(active.id);
    if (run && run.status !== 'running') await active.done;
  }

  private async startIfDue(trigger: 'startup' | 'schedule'): Promise<void> {
    if (this.active || this.stopping) return;
    try {
      const latest = await this.runs.latest();
      const unfinished = latest && (latest.status === 'running' || latest.status === 'interrupted');
      const lastSuccess = unfinished ? null : await this.runs.lastSucceeded();
      const due =
        unfinished ||
        (trigger === 'startup' && !lastSuccess) ||
        (trigger === 'schedule' && this.schedule.intervalMs > 0 && (!lastSuccess || Date.now() - lastSuccess.startedAt.getTime() >= this.schedule.intervalMs));
      if (due) await this.launch({ trigger, fresh: false, resumeFailed: false });
    } catch (error) {
      this.logger.error(`could not start a ${trigger} full sync: ${(error as Error).message}`);
    }
  }

  /** Takes the run lock and starts (or resumes) a run in the background; null when another one holds the lock. */
  private async launch(options: { trigger: string; fresh: boolean; resumeFailed: boolean }): Promise<{ run: SyncRunEntity; resumed: boolean } | null> {
    if (this.active || this.stopping) return null;
    const lock = await this.tryLock();
    if (!lock) return null;
    let run: SyncRunEntity;
    let resumed = false;
    try {
      // Whoever holds the lock is the only runner, so a run still marked running lost its process.
      await this.runs.markOrphansInterrupted(null);
      const latest = await this.runs.latest();
      const resumable = latest && (latest.status === 'interrupted' || (options.resumeFailed && latest.status === 'failed'));
      if (resumable && !options.fresh) {
        run = await this.runs.resume(latest.id);
        resumed = true;
      } else {
        if (resumable) await this.runs.finish(latest.id, 'failed');
        run = await this.runs.create(options.trigger);
      }
    } catch (error) {
      await this.unlock(lock);
      throw error;
    }
    const abort = new AbortController();
    this.logger.log(`full sync ${run.id} ${resumed ? `resumed at ${run.stage}` : 'started'} (${options.trigger})`);
    const done = this.runner
      .run(run, abort.signal)
      .then(async (outcome) => {
        if (outcome === 'interrupted') await this.runs.finish(run.id, 'interrupted');
        this.logger.log(`full sync ${run.id} ${outcome}`);
      })
      .catch(async (error: Error) => {
        // The runner has recorded the error on the run, with the stage it failed in.
        this.logger.error(`full sync ${run.id} failed: ${error.message}`);
        await this.runs.finish(run.id, 'failed').catch(() => undefined);
      })
      .finally(async () => {
        this.active = null;
        await this.unlock(lock);
      });
    this.active = { id: run.id, abort, done };
    return { run, resumed };
  }

  private async tryLock(): Promise<QueryRunner | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [RUN_LOCK]);
    if (locked) return runner;
    await runner.release();
    return null;
  }

  private async unlock(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [RUN_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

function toView(run: SyncRunEntity): SyncRunView {
  const end = run.finishedAt ?? (run.status === 'running' ? new Date() : run.updatedAt);
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    stage: run.stage,
    attempts: run.attempts,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: end.getTime() - run.startedAt.getTime(),
    counts: { users: run.users, groups: run.groups, memberships: run.memberships, deleted: run.deleted, eventsPublished: run.eventsPublished },
    pages: run.pages,
    rateLimit: { waited429: run.rateLimitWaits, pauses: run.rateLimitPauses, waitedMs: Number(run.rateLimitWaitedMs) },
    errors: run.errors,
  };
}
