import { ConsoleLogger, Controller, Get, Injectable, Logger, LoggerService, Module, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { BatchConsumers, EventConsumerHost, OutboxRelay } from '@attest/messaging';

/** Ready only when connected: the database answers, the relay runs, and the consumer groups (the host's and every batch consumer's) are joined. */
@Injectable()
export class MessagingHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly consumers: EventConsumerHost,
    private readonly relay: OutboxRelay,
    private readonly batchConsumers: BatchConsumers,
  ) {}

  check() {
    const check = this.indicator.check('messaging');
    const batchConsumers = this.batchConsumers.states;
    const details = { consumerConnected: this.consumers.isConnected, topics: this.consumers.topics, batchConsumers, relayLeader: this.relay.isLeader };
    const consumerOk = this.consumers.topics.length === 0 || this.consumers.isConnected;
    const batchOk = batchConsumers.every((consumer) => consumer.connected);
    return consumerOk && batchOk ? check.up(details) : check.down(details);
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly messaging: MessagingHealthIndicator,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** 200 or 503 with Terminus's own body either way, so whoever probes sees which check failed and why. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) response: Response) {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.messaging.check()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse();
    }
  }
}

/** A failing readiness is logged again after this long even when its reason has not changed. */
const REPEAT_AFTER_MS = 60_000;

/**
 * Terminus's logger: a failed check is a warning (a service still starting, or waiting on Kafka, is not
 * an error), logged when its reason changes and once a minute while it lasts, not on every probe.
 */
@Injectable()
export class ReadinessLogger extends ConsoleLogger implements LoggerService {
  private readonly logger = new Logger('Readiness');
  private last: { message: string; atMs: number } | null = null;

  override error(message: unknown): void {
    const text = String(message);
    const now = Date.now();
    if (this.last !== null && this.last.message === text && now - this.last.atMs < REPEAT_AFTER_MS) return;
    this.last = { message: text, atMs: now };
    this.logger.warn(text);
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: ReadinessLogger, errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [MessagingHealthIndicator],
})
export class ServiceHealthModule {}
