import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OktaClient } from '../okta/okta.client';
import { OktaEventApplier } from '../okta/okta-event.applier';
import { EVENT_HOOK_SETTINGS, EventHookSettings } from './event-hook.guard';
import { EventHooksRepository } from './event-hooks.repository';

/** Deliveries leased per round. */
const BATCH = 10;
/** Long enough for a batch's Okta reads; a worker that died mid-batch frees its deliveries after this. */
const LEASE_MS = 60_000;
const MAX_RETRY_MS = 5 * 60_000;
const RETENTION_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Applies stored Event Hook deliveries after they were acknowledged. Woken at once by a new delivery and
 * by a fallback timer (deliveries stored by another replica, or left by a crash). A delivery is marked
 * processed in the transaction that applied it, so each `eventId` takes effect once.
 */
@Injectable()
export class EventHooksWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventHooksWorker.name);
  private draining: Promise<void> | null = null;
  private rerun = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private prunedAt = 0;

  constructor(
    private readonly deliveries: EventHooksRepository,
    private readonly applier: OktaEventApplier,
    private readonly okta: OktaClient,
    @Inject(EVENT_HOOK_SETTINGS) private readonly settings: EventHookSettings,
  ) {}

  get enabled(): boolean {
    return this.okta.enabled && this.settings.secret !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.kick(), this.settings.workerIntervalMs);
    this.timer.unref();
    void this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
  }

  /** Processes everything due now; concurrent calls coalesce into one more pass. */
  kick(): Promise<void> {
    if (this.stopped || !this.enabled) return Promise.resolve();
    if (this.draining) {
      this.rerun = true;
      return this.draining;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.rerun = false;
        for (;;) {
          if (this.stopped) return;
          const batch = await this.deliveries.claim(BATCH, LEASE_MS);
          if (batch.length === 0) break;
          for (const delivery of batch) {
            try {
              await this.applier.apply(delivery.body.data.events, (tx) => this.deliveries.markProcessed(tx, delivery.eventId));
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              const retryInMs = Math.min(1000 * 2 ** delivery.attempts, MAX_RETRY_MS);
              this.logger.warn(`Event Hook delivery ${delivery.eventId} failed (attempt ${delivery.attempts}), retrying in ${retryInMs} ms: ${message}`);
              await this.deliveries.markFailed(delivery.eventId, { error: message, retryInMs });
            }
          }
        }
      } while (this.rerun);
      if (Date.now() - this.prunedAt > PRUNE_EVERY_MS) {
        this.prunedAt = Date.now();
        await this.deliveries.prune(RETENTION_MS);
      }
    } catch (error) {
      this.logger.error(`Event Hook worker failed, will retry: ${(error as Error).message}`);
    }
  }
}
