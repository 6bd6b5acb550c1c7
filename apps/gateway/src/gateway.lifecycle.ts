import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka, Producer } from 'kafkajs';
import type { Logger as PinoLogger } from 'pino';
import { TOPICS } from '@attest/contracts';
import { ensureTopics, KAFKA, KAFKA_PRODUCER } from '@attest/messaging';
import { GatewayConfig } from './config';
import { AccessLogService } from './access-log/access-log.service';
import { GatewayHttpServer } from './http/gateway.http-server';
import { GATEWAY_LOGGER } from './logging/gateway-logger';
import { GatewayHeartbeat } from './heartbeat/gateway-heartbeat.service';
import { PolicyViewService } from './policy/policy-view.service';
import { UpstreamPools } from './proxy/upstream-pools';
import { RateLimitService } from './rate-limit/rate-limit.service';

/** Every topic the gateway reads or writes; created at start when missing. */
export const GATEWAY_TOPICS = [TOPICS.policyState, TOPICS.catalogState, TOPICS.accessLogColumns, TOPICS.gatewayApplied] as const;

/**
 * Starts and stops the gateway's parts in the one order that loses nothing: the server listens
 * first (live, but answering 503 until the view caught up), and on shutdown stops taking requests
 * and drains them before the access log is flushed and Kafka is let go.
 */
@Injectable()
export class GatewayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly server: GatewayHttpServer,
    private readonly policy: PolicyViewService,
    private readonly accessLog: AccessLogService,
    private readonly rateLimits: RateLimitService,
    private readonly heartbeat: GatewayHeartbeat,
    private readonly pools: UpstreamPools,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.server.listen();
    await ensureTopics(this.kafka, GATEWAY_TOPICS);
    await this.producer.connect();
    this.accessLog.start();
    this.rateLimits.start();
    await this.policy.start();
    this.heartbeat.start();
    void this.policy.whenReady().then(() =>
      this.logger.info(
        { principals: this.policy.view.principalCount, apis: this.policy.view.apiCount, accessLog: this.accessLog.mode, rateLimit: this.rateLimits.status.mode },
        'policy view loaded',
      ),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    // A request may wait this long for upstream headers; give it that, plus a moment to stream its answer.
    await this.server.drain(this.config.get('UPSTREAM_TIMEOUT_MS', { infer: true }) + 2000);
    await this.heartbeat.stop();
    await this.policy.stop();
    await this.rateLimits.stop();
    await this.accessLog.close();
    await this.producer.disconnect();
    await this.pools.close();
    this.logger.info({ droppedAccessLogRecords: this.accessLog.droppedCount }, 'gateway stopped');
    this.logger.flush();
  }
}
