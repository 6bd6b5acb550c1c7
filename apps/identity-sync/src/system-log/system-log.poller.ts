import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OktaClient } from '../okta/okta.client';
import { OktaEventApplier } from '../okta/okta-event.applier';
import { CursorMovedError, LogPosition, SystemLogRepository } from './system-log.repository';

export const SYSTEM_LOG_INTERVAL_MS = Symbol('SYSTEM_LOG_INTERVAL_MS');

/** Events asked for per System Log request (Okta's maximum). */
const PAGE_LIMIT = 1000;
/** Pages read per poll before yielding to the next interval, so a large backlog cannot starve everything else. */
const MAX_PAGES_PER_POLL = 20;

/**
 * Incremental sync from Okta's System Log: every interval it reads the events after its persisted cursor and
 * applies them, so a change whose Event Hook was lost still reaches the mirror within one interval. The
 * cursor moves in the transaction that applied the events; replicas race harmlessly (one commit wins).
 */
@Injectable()
export class SystemLogPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SystemLogPoller.name);
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly okta: OktaClient,
    private readonly applier: OktaEventApplier,
    private readonly cursor: SystemLogRepository,
    @Inject(SYSTEM_LOG_INTERVAL_MS) readonly intervalMs: number,
  ) {}

  get enabled(): boolean {
    return this.okta.enabled && this.intervalMs > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    // The first poll fixes the starting point right away, so nothing after start-up can be missed.
    void this.poll().finally(() => this.schedule());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
  }

  /** Reads and applies everything new; returns how many events were read. Concurrent calls share one poll. */
  poll(): Promise<number> {
    this.polling ??= this.drain().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }

  private async drain(): Promise<number> {
    let read = 0;
    try {
      for (let pages = 0; pages < MAX_PAGES_PER_POLL && !this.stopped; pages++) {
        const from = await this.cursor.position();
        const page = await this.okta.systemLogPage({ since: from.since, after: from.after, limit: PAGE_LIMIT });
        read += page.items.length;
        const to = nextPosition(from, page);
        if (page.items.length === 0 && to.after === from.after) {
          await this.cursor.recordPoll(null);
          break;
        }
        await this.applier.apply(page.items, (tx) => this.cursor.advance(tx, { from, to, applied: page.items.length }));
        if (page.items.length < PAGE_LIMIT) break;
      }
    } catch (error) {
      if (error instanceof CursorMovedError) return read;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`System Log poll failed, will retry next interval: ${message}`);
      await this.cursor.recordPoll(message).catch(() => undefined);
    }
    return read;
  }
}

/** Okta's next link names where to ask next; without one, continue from the last event seen. */
function nextPosition(from: LogPosition, page: { items: Array<{ published?: Date | string }>; after: string | null }): LogPosition {
  if (page.after) return { since: from.since, after: page.after };
  const last = page.items[page.items.length - 1]?.published;
  return last ? { since: new Date(last), after: null } : from;
}
