import { Controller, Get, Module, Injectable } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { EventConsumerHost, OutboxRelay } from '@attest/messaging';

/** Ready only when connected: the database answers, the relay runs and the consumer group is joined. */
@Injectable()
export class MessagingHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly consumers: EventConsumerHost,
    private readonly relay: OutboxRelay,
  ) {}

  check() {
    const check = this.indicator.check('messaging');
    const details = { consumerConnected: this.consumers.isConnected, topics: this.consumers.topics, relayLeader: this.relay.isLeader };
    const consumerOk = this.consumers.topics.length === 0 || this.consumers.isConnected;
    return consumerOk ? check.up(details) : check.down(details);
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

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.messaging.check()]);
  }
}

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [MessagingHealthIndicator] })
export class ServiceHealthModule {}
