import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DirectoryService, DirectoryWrite, NO_WRITE } from '../directory/directory.service';
import { DirectoryRepository } from '../directory/directory.repository';
import { oktaGroupFacts, oktaUserFacts } from '../okta/domain/okta-facts';
import type { User } from '@okta/okta-sdk-nodejs';
import { mapLimit, timedRead } from '../okta/concurrent-reads';
import { OktaClient, OktaPage, rateLimitResetOf } from '../okta/okta.client';
import { RateLimitCounters } from '../okta/rate-limit.budget';
import { nextStage, SyncCursor, SyncStage, START_CURSOR } from './domain/sync-stage';
import { SyncRunEntity } from './sync-run.entity';
import { SyncRunsRepository } from './sync-runs.repository';

export type RunOutcome = 'succeeded' | 'interrupted';

/** Transient failures (5xx, network) of one page tried again before the run fails. */
const PAGE_RETRIES = 3;
/** 429s the SDK gave up on, waited out again before the run fails: a budget this starved is misconfigured. */
const MAX_THROTTLED_ATTEMPTS = 50;

/** Groups whose members are read, then written in one transaction. */
const MEMBERSHIP_BATCH = 25;
/** Okta requests in flight at once while reading a batch of groups (the rate-limit budget still gates each). */
const READ_CONCURRENCY = 4;

class Aborted extends Error {}

interface RunState {
  id: string;
  stage: SyncStage;
  cursor: SyncCursor;
  pages: number;
  startedAt: Date;
}

/** The next unit of work of a run: what it read, how to write it, and where the run goes next. */
interface Step {
  fetched: number;
  next: { stage: SyncStage; cursor: SyncCursor };
  write: (tx: EntityManager) => Promise<DirectoryWrite>;
}

/** Lets a test (or an operator's tooling) observe each committed page, e.g. to stop a run half-way. */
export interface PageObserver {
  pageCommitted(run: { id: string; stage: SyncStage; pages: number }): void;
}

/**
 * Runs (or resumes) one full sync: users, deprovisioned users, groups, then each group's members, then a
 * sweep deleting what Okta no longer lists. Every page is written in one transaction together with the
 * run's cursor and counters, so a run killed at any point resumes after its last committed page.
 */
@Injectable()
export class FullSyncRunner {
  private readonly logger = new Logger(FullSyncRunner.name);
  private readonly observers = new Set<PageObserver>();

  constructor(
    private readonly okta: OktaClient,
    private readonly directory: DirectoryService,
    private readonly repository: DirectoryRepository,
    private readonly runs: SyncRunsRepository,
    private readonly dataSource: DataSource,
  ) {}

  observe(observer: PageObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  async run(start: SyncRunEntity, signal: AbortSignal): Promise<RunOutcome> {
    const state: RunState = { id: start.id, stage: start.stage, cursor: start.cursor ?? START_CURSOR, pages: start.pages, startedAt: start.startedAt };
    const waits = new WaitCounter(this.okta.budget.counters);
    let ahead: Promise<Step> | null = null;
    try {
      while (state.stage !== 'done') {
        if (signal.aborted) return 'interrupted';
        const step: Step = await (ahead ?? this.step(state, signal));
        // The next page of the same stage is read while this one is written: its cursor is already known.
        ahead = step.next.stage === state.stage ? this.step({ ...state, cursor: step.next.cursor }, signal) : null;
        ahead?.catch(() => undefined);
        await this.directory.transaction(async (tx) => {
          const write = await step.write(tx);
          await this.runs.recordProgress(tx, state.id, {
            stage: step.next.stage,
            cursor: step.next.cursor,
            pages: step.fetched,
            users: write.principals,
            groups: write.groups,
            memberships: write.memberships,
            deleted: write.deleted,
            events: write.events,
            ...waits.take(),
          });
          if (step.next.stage === 'done') await this.runs.finish(state.id, 'succeeded', tx);
        });
        state.stage = step.next.stage;
        state.cursor = step.next.cursor;
        state.pages += step.fetched;
        for (const observer of this.observers) observer.pageCommitted({ id: state.id, stage: state.stage, pages: state.pages });
      }
      return 'succeeded';
    } catch (error) {
      if (error instanceof Aborted) return 'interrupted';
      await this.runs.recordError(state.id, { at: new Date().toISOString(), stage: state.stage, message: describe(error) }).catch(() => undefined);
      throw error;
    }
  }

  /** Reads the next page of the run's current stage and says how to write it and where to go next. */
  private async step(state: RunState, signal: AbortSignal): Promise<Step> {
    const { stage, cursor } = state;
    const advance = (page: OktaPage<unknown>): Step['next'] =>
      page.after ? { stage, cursor: { after: page.after } } : { stage: nextStage(stage), cursor: START_CURSOR };
    switch (stage) {
      case 'users':
      case 'deprovisioned': {
        const page = await this.read(state, signal, () => this.okta.usersPage({ after: cursor.after, deprovisioned: stage === 'deprovisioned' }));
        return { fetched: 1, next: advance(page), write: (tx) => this.directory.applyOktaUsers(tx, page.items.map(oktaUserFacts)) };
      }
      case 'groups': {
        const page = await this.read(state, signal, () => this.okta.groupsPage({ after: cursor.after }));
        return { fetched: 1, next: advance(page), write: (tx) => this.directory.applyOktaGroups(tx, page.items.map(oktaGroupFacts)) };
      }
      case 'memberships':
        return this.membershipStep(state, signal);
      case 'sweep':
        return {
          fetched: 0,
          next: { stage: 'done', cursor: START_CURSOR },
          write: (tx) => this.directory.sweepOktaDeletions(tx, state.startedAt),
        };
      case 'done':
        throw new Error('a finished run has no next step');
    }
  }

  /**
   * Members of the next groups. Groups whose members fit one page (nearly all) are read a batch at a time,
   * a few requests in flight, and written in one transaction; a group with more pages is then read page by
   * page, its cursor persisted after each.
   */
  private async membershipStep(state: RunState, signal: AbortSignal): Promise<Step> {
    const { cursor } = state;
    const groupAfter = cursor.groupAfter ?? null;
    const continuing = cursor.group;
    if (continuing) {
      const { value: page, readAt } = await timedRead(() => this.read(state, signal, () => this.membersPage(continuing.oktaId, cursor.after)));
      return {
        fetched: 1,
        next: page.after
          ? { stage: 'memberships', cursor: { after: page.after, groupAfter, group: continuing } }
          : { stage: 'memberships', cursor: { after: null, groupAfter: continuing.oktaId, group: null } },
        write: (tx) =>
          this.directory.applyOktaGroupMembers(tx, [
            { groupId: continuing.id, members: page.items.map(oktaUserFacts), readAt, listedSince: page.after ? null : new Date(continuing.startedAt) },
          ]),
      };
    }
    const upcoming = await this.repository.oktaGroupsAfter(this.dataSource.manager, groupAfter, MEMBERSHIP_BATCH);
    if (upcoming.length === 0) return { fetched: 0, next: { stage: 'sweep', cursor: START_CURSOR }, write: async () => NO_WRITE };
    // A group's listing begins when its first page was asked for.
    const pages = await mapLimit(upcoming, READ_CONCURRENCY, async (group) => {
      const { value, readAt } = await timedRead(() => this.read(state, signal, () => this.membersPage(group.oktaId, null)));
      return { ...value, readAt };
    });
    // The batch ends with the first group that has more pages; the groups read after it are read again later.
    const cut = pages.findIndex((page) => page.after !== null);
    const batch = cut === -1 ? upcoming : upcoming.slice(0, cut + 1);
    const open = cut === -1 ? null : { oktaId: upcoming[cut].oktaId, id: upcoming[cut].id, startedAt: pages[cut].readAt.toISOString() };
    return {
      fetched: batch.length,
      next: open
        ? { stage: 'memberships', cursor: { after: pages[cut].after, groupAfter: upcoming[cut - 1]?.oktaId ?? groupAfter, group: open } }
        : { stage: 'memberships', cursor: { after: null, groupAfter: batch[batch.length - 1].oktaId, group: null } },
      // A group's listing began when its first page was asked for: memberships not confirmed since are gone.
      write: (tx) =>
        this.directory.applyOktaGroupMembers(
          tx,
          batch.map((group, index) => ({
            groupId: group.id,
            members: pages[index].items.map(oktaUserFacts),
            readAt: pages[index].readAt,
            listedSince: pages[index].after ? null : pages[index].readAt,
          })),
        ),
    };
  }

  /** A group deleted in Okta while the sync runs has no members to read; the sweep deletes it. */
  private membersPage(groupOktaId: string, after: string | null): Promise<OktaPage<User>> {
    return this.okta.groupMembersPage({ groupOktaId, after }).catch((error: unknown) => {
      if ((error as { status?: number }).status === 404) return { items: [], after: null };
      throw error;
    });
  }

  /** Reads a page, waiting out rate limits (as long as it takes) and retrying transient failures a few times. */
  private async read<T>(state: RunState, signal: AbortSignal, read: () => Promise<T>): Promise<T> {
    let failures = 0;
    let throttled = 0;
    for (;;) {
      if (signal.aborted) throw new Aborted();
      try {
        return await abortable(read(), signal);
      } catch (error) {
        if (error instanceof Aborted) throw error;
        const resetAt = rateLimitResetOf(error);
        if (resetAt !== null && ++throttled <= MAX_THROTTLED_ATTEMPTS) {
          // The SDK spent its own retries on this 429; the run waits for the window like it would.
          const delay = Math.max(0, resetAt - Date.now()) + 1000;
          this.okta.budget.recordBackoff(delay);
          await sleep(delay, signal);
          continue;
        }
        const status = (error as { status?: number }).status;
        const transient = resetAt === null && (status === undefined || status >= 500);
        if (!transient || ++failures > PAGE_RETRIES) throw error;
        await this.runs.recordError(state.id, { at: new Date().toISOString(), stage: state.stage, message: `${describe(error)} (retrying)` });
        this.logger.warn(`full sync ${state.id}: ${state.stage} page failed (${describe(error)}), retry ${failures} of ${PAGE_RETRIES}`);
        await sleep(500 * 2 ** failures, signal);
      }
    }
  }
}

/** Turns the shared budget's running totals into per-page increments for the run's counters. */
class WaitCounter {
  private last: RateLimitCounters;

  constructor(private readonly counters: RateLimitCounters) {
    this.last = { ...counters };
  }

  take(): { rateLimitWaits: number; rateLimitPauses: number; rateLimitWaitedMs: number } {
    const now = { ...this.counters };
    const delta = {
      rateLimitWaits: now.waits429 - this.last.waits429,
      rateLimitPauses: now.pauses - this.last.pauses,
      rateLimitWaitedMs: now.waitedMs - this.last.waitedMs,
    };
    this.last = now;
    return delta;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return abortable(new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), signal);
}
