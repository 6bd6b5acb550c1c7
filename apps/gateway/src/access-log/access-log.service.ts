import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Producer } from 'kafkajs';
import type { Logger as PinoLogger } from 'pino';
import { KAFKA_PRODUCER, parseBrokers } from '@attest/messaging';
import { GatewayConfig } from '../config';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { AccessLogEntry } from './access-log-entry';
import { AccessLogSink, InlineAccessLogSink, workerAvailable, WorkerAccessLogSink } from './access-log.sinks';

const MAX_EARLY_ENTRIES = 10_000;

/**
 * One access-log record per answered request, produced many to a message to `gateway.access-log.v3` off the
 * request path: by default from a worker thread (ACCESS_LOG_MODE=worker), in-thread where no compiled
 * worker exists or when configured so.
 */
@Injectable()
export class AccessLogService {
  private sink: AccessLogSink | null = null;
  /** Requests answered while the gateway starts (503s before the view is loaded), kept until the producer is up. */
  private early: AccessLogEntry[] = [];

  constructor(
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
    private readonly config: ConfigService<GatewayConfig, true>,
    metrics: GatewayMetrics,
  ) {
    metrics.trackAccessLog({
      dropped: () => this.droppedCount,
      sent: () => this.sink?.sentCount ?? 0,
      overflowed: () => this.sink?.overflowedCount ?? 0,
    });
  }

  get droppedCount(): number {
    return this.sink?.droppedCount ?? 0;
  }

  get mode(): 'worker' | 'inline' | null {
    return this.sink?.mode ?? null;
  }

  /** Call once the shared producer is connected. */
  start(): void {
    this.sink = this.createSink();
    for (const entry of this.early) this.sink.write(entry);
    this.early = [];
  }

  private createSink(): AccessLogSink {
    const gatewayId = this.config.get('GATEWAY_ID', { infer: true });
    const wanted = this.config.get('ACCESS_LOG_MODE', { infer: true });
    const inThread = () => new InlineAccessLogSink({ producer: this.producer, gatewayId });
    if (wanted === 'worker' && workerAvailable()) {
      return new WorkerAccessLogSink({
        data: {
          brokers: parseBrokers(this.config.get('KAFKA_BROKERS', { infer: true })),
          gatewayId,
          logLevel: this.config.get('LOG_LEVEL', { infer: true }),
          nice: this.config.get('ACCESS_LOG_WORKER_NICE', { infer: true }),
        },
        logger: this.logger,
        inThread,
      });
    }
    if (wanted === 'worker') this.logger.info('no compiled access-log worker beside the sources: producing access logs in the request thread');
    return inThread();
  }

  /** Never throws and never waits: the request is unaffected by whatever happens to its record. */
  record(entry: AccessLogEntry): void {
    try {
      if (this.sink !== null) this.sink.write(entry);
      else if (this.early.length < MAX_EARLY_ENTRIES) this.early.push(entry);
    } catch (error) {
      this.logger.warn({ requestId: entry.requestId, err: error }, 'access-log record rejected');
    }
  }

  /** Sends what is buffered; called on shutdown after the last request finished. */
  async flush(): Promise<void> {
    await this.sink?.flush();
  }

  async close(): Promise<void> {
    await this.sink?.close();
  }
}
