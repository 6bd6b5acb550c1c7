import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { UsageIngestConfig } from '../config';
import { DormancyRepository } from './dormancy.repository';

/** Looks for grants that crossed the dormancy threshold every DORMANCY_CHECK_INTERVAL_MS. */
@Injectable()
export class DormancyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DormancyService.name);
  private readonly dormancyDays: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly dormancy: DormancyRepository,
    config: ConfigService<UsageIngestConfig, true>,
  ) {
    this.dormancyDays = config.get('DORMANCY_DAYS', { infer: true });
    this.intervalMs = config.get('DORMANCY_CHECK_INTERVAL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Signals the grants dormant at `now` (the clock is a parameter so a check can be run for any time). */
  async check(now: Date = new Date()): Promise<number> {
    const signalled = await this.dormancy.signalDormant({ now, dormancyDays: this.dormancyDays });
    if (signalled > 0) this.logger.log(`${signalled} grants crossed the ${this.dormancyDays}-day dormancy threshold`);
    return signalled;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check()
        .catch((error: Error) => this.logger.error(`dormancy check failed, will retry: ${error.message}`))
        .finally(() => {
          this.running = null;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
