import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger as PinoLogger } from 'pino';
import { GatewayApplied, TOPICS } from '@attest/contracts';
import { buildEnvelope, KAFKA, KAFKA_PRODUCER } from '@attest/messaging';
import { GatewayConfig } from '../config';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { POLICY_VIEW_TOPICS, PolicyViewService } from '../policy/policy-view.service';
import { policyLag } from './domain/policy-lag';

/** End offsets are asked for this often, not with every heartbeat: lag is a trend, not a per-beat fact. */
const LAG_REFRESH_MS = 5000;

/**
 * Tells the cluster what this replica enforces: every HEARTBEAT_INTERVAL_MS a GatewayApplied record
 * keyed by GATEWAY_ID on `gateway.applied.v1`, with the view's applied positions, lag and staleness,
 * so enforcement can say when a change was enforced everywhere and notice a replica that went quiet.
 */
@Injectable()
export class GatewayHeartbeat {
  private readonly gatewayId: string;
  private readonly intervalMs: number;
  private readonly startedAtMs = Date.now();
  private beatTimer: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private admin: Admin | null = null;
  private lag = 0;
  private failing = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    private readonly policy: PolicyViewService,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
    config: ConfigService<GatewayConfig, true>,
  ) {
    this.gatewayId = config.get('GATEWAY_ID', { infer: true });
    this.intervalMs = config.get('HEARTBEAT_INTERVAL_MS', { infer: true });
  }

  start(): void {
    void this.refreshLag().finally(() => this.beat());
    this.beatTimer = setInterval(() => this.beat(), this.intervalMs);
    this.lagTimer = setInterval(() => void this.refreshLag(), LAG_REFRESH_MS);
  }

  async stop(): Promise<void> {
    if (this.beatTimer !== null) clearInterval(this.beatTimer);
    if (this.lagTimer !== null) clearInterval(this.lagTimer);
    this.beatTimer = this.lagTimer = null;
    await this.sending;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  /** What the next heartbeat says. */
  snapshot(): GatewayApplied {
    const nowMs = Date.now();
    const staleness = this.policy.msSinceLastFetch;
    return {
      gatewayId: this.gatewayId,
      startedAt: new Date(this.startedAtMs).toISOString(),
      at: new Date(nowMs).toISOString(),
      ready: this.policy.freshness().ready,
      // Before the broker first answered, the view is as stale as the process is old.
      stalenessMs: Number.isFinite(staleness) ? staleness : nowMs - this.startedAtMs,
      lag: this.lag,
      positions: this.policy.positions(),
    };
  }

  /** One heartbeat, unless the previous one is still being sent (the broker is slow or gone). */
  private beat(): void {
    if (this.sending !== null) return;
    const data = this.snapshot();
    const envelope = buildEnvelope({ topic: TOPICS.gatewayApplied, subject: this.gatewayId, data, source: 'gateway' });
    this.sending = this.producer
      .send({ topic: TOPICS.gatewayApplied, acks: 1, messages: [{ key: this.gatewayId, value: JSON.stringify(envelope) }] })
      .then(
        () => {
          this.metrics.countHeartbeat(true);
          if (this.failing) this.logger.info('heartbeats are published again');
          this.failing = false;
        },
        (error: Error) => {
          this.metrics.countHeartbeat(false);
          if (!this.failing) this.logger.warn({ reason: error.message }, 'could not publish the heartbeat');
          this.failing = true;
        },
      )
      .finally(() => (this.sending = null));
  }

  private async refreshLag(): Promise<void> {
    try {
      if (this.admin === null) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      const ends = await Promise.all(POLICY_VIEW_TOPICS.map(async (topic) => ({ topic, partitions: await this.admin!.fetchTopicOffsets(topic) })));
      this.lag = policyLag({ ends, positions: this.policy.positions() });
      this.metrics.setPolicyLag(this.lag);
    } catch {
      // The last known lag stays; staleness already tells that the broker is out of reach.
    }
  }
}
