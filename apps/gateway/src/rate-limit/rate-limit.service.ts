import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger as PinoLogger } from 'pino';
import { GatewayConfig } from '../config';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { LimitRequest, LimitVerdict, RateLimiter } from './domain/rate-limiter';
import { RedisLimitSync } from './redis-limit.sync';

/** Subjects idle this long, and holding nothing worth keeping, are forgotten. */
const IDLE_SUBJECT_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;

export interface RateLimitStatus {
  mode: GatewayConfig['RATE_LIMIT_MODE'];
  /** In redis mode: whether the last sync reached Redis (limits are per replica while it does not). */
  redis?: 'up' | 'down';
  subjects: number;
}

/** Per-key and per-key-on-API rate limits and quotas, decided in memory; shared through Redis in cluster mode. */
@Injectable()
export class RateLimitService {
  private readonly limiter = new RateLimiter(Date.now);
  private readonly mode: GatewayConfig['RATE_LIMIT_MODE'];
  private readonly sync: RedisLimitSync | null;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    config: ConfigService<GatewayConfig, true>,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_LOGGER) logger: PinoLogger,
  ) {
    this.mode = config.get('RATE_LIMIT_MODE', { infer: true });
    this.sync =
      this.mode === 'redis'
        ? new RedisLimitSync({
            url: config.get('REDIS_URL', { infer: true }),
            intervalMs: config.get('RATE_LIMIT_SYNC_MS', { infer: true }),
            limiter: this.limiter,
            logger,
            onSync: ({ ok }) => metrics.countRateLimitSync(ok),
          })
        : null;
    metrics.trackRateLimits({ subjects: () => this.limiter.subjectCount, redisUp: this.sync === null ? null : () => this.sync!.up });
  }

  check(request: LimitRequest): LimitVerdict {
    return this.limiter.check(request);
  }

  get status(): RateLimitStatus {
    const status: RateLimitStatus = { mode: this.mode, subjects: this.limiter.subjectCount };
    if (this.sync !== null) status.redis = this.sync.up ? 'up' : 'down';
    return status;
  }

  start(): void {
    this.sync?.start();
    this.sweeper = setInterval(() => this.limiter.sweep(IDLE_SUBJECT_MS), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    await this.sync?.stop();
  }
}
