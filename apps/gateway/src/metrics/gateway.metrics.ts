import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { AccessOutcome, accessOutcomeSchema, Topic } from '@attest/contracts';
import { ServiceMetrics } from '@attest/platform';
import { ApplyResult } from '../policy/domain/policy-view';

/**
 * The gateway's own Prometheus metrics, in the service's registry: `/metrics` renders them with the
 * process's and the messaging layer's, as every service does (`ServiceMetrics`). Values that other
 * parts already hold (staleness, Redis state) are read when scraped, not pushed.
 */
@Injectable()
export class GatewayMetrics {
  // Plain numbers on the request path; prom-client reads them when scraped.
  private readonly requestsByOutcome: Record<AccessOutcome, number>;
  private readonly records: Counter<'topic' | 'result'>;
  private readonly viewReady: Gauge;
  private readonly rateLimitSyncs: Counter<'result'>;
  private readonly heartbeats: Counter<'result'>;
  private readonly policyLag: Gauge;

  private readonly registry: Registry;

  constructor(service: ServiceMetrics) {
    this.registry = service.registry;
    const counts = Object.fromEntries(accessOutcomeSchema.options.map((outcome) => [outcome, 0])) as Record<AccessOutcome, number>;
    const reported = { ...counts };
    this.requestsByOutcome = counts;
    const requests = new Counter({
      name: 'gateway_requests_total',
      help: 'Requests answered by the gateway, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        for (const outcome of accessOutcomeSchema.options) {
          const since = counts[outcome] - reported[outcome];
          if (since > 0) this.inc({ outcome }, since);
          reported[outcome] = counts[outcome];
        }
      },
    });
    for (const outcome of accessOutcomeSchema.options) requests.inc({ outcome }, 0);
    this.records = new Counter({
      name: 'gateway_policy_records_applied_total',
      help: 'Records read from the policy and catalog topics, by what applying them did',
      labelNames: ['topic', 'result'],
      registers: [this.registry],
    });
    this.viewReady = new Gauge({
      name: 'gateway_policy_view_ready',
      help: '1 once the policy view has caught up with the policy and catalog topics',
      registers: [this.registry],
    });
    this.viewReady.set(0);
    this.rateLimitSyncs = new Counter({
      name: 'gateway_rate_limit_syncs_total',
      help: 'Background syncs of rate-limit consumption with Redis (cluster mode), by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.heartbeats = new Counter({
      name: 'gateway_heartbeats_total',
      help: 'GatewayApplied heartbeats published, by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.policyLag = new Gauge({
      name: 'gateway_policy_lag_records',
      help: 'Records on the policy and catalog topics not yet applied, as of the last offsets check',
      registers: [this.registry],
    });
  }

  countRequest(outcome: AccessOutcome): void {
    this.requestsByOutcome[outcome]++;
  }

  countRecord(topic: Topic, result: ApplyResult): void {
    this.records.inc({ topic, result });
  }

  setViewReady(ready: boolean): void {
    this.viewReady.set(ready ? 1 : 0);
  }

  /** Staleness of the policy view and whether it is past its budget, read at scrape time. */
  trackStaleness(read: () => { stalenessMs: number | null; overBudget: boolean }): void {
    new Gauge({
      name: 'gateway_policy_staleness_seconds',
      help: 'Seconds since the broker last answered the policy view (absent before the first answer)',
      registers: [this.registry],
      collect() {
        const { stalenessMs } = read();
        if (stalenessMs === null) this.reset();
        else this.set(stalenessMs / 1000);
      },
    });
    this.scraped('gateway_policy_stale', '1 while the policy view is older than POLICY_STALENESS_BUDGET_MS', () => read().overBudget ? 1 : 0);
  }

  /** `redisUp` is null in local mode, where no Redis is used and the gauge is not exported. */
  trackRateLimits(read: { subjects: () => number; redisUp: (() => boolean) | null }): void {
    this.scraped('gateway_rate_limit_subjects', 'Keys and keys-on-APIs with live rate-limit state in this replica', () => read.subjects());
    const redisUp = read.redisUp;
    if (redisUp === null) return;
    this.scraped('gateway_rate_limit_redis_up', '1 while rate limits are shared through Redis; 0 while this replica falls back to local limits', () => redisUp() ? 1 : 0);
  }

  countRateLimitSync(ok: boolean): void {
    this.rateLimitSyncs.inc({ result: ok ? 'ok' : 'failed' });
  }

  /** The access log's counts, read at scrape time. */
  trackAccessLog(read: { dropped: () => number; sent: () => number; overflowed: () => number }): void {
    this.scraped('gateway_access_log_sent_records', 'Access-log records the broker acknowledged since start', () => read.sent());
    this.scraped('gateway_access_log_dropped_records', 'Access-log records dropped since start: shed by a full producer buffer while Kafka was unreachable, or lost with a dead access-log worker', () => read.dropped());
    this.scraped('gateway_access_log_overflow_records', 'Access-log records the request thread produced itself because the access-log worker was too far behind', () => read.overflowed());
  }

  /** A gauge whose value is read when scraped. */
  private scraped(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  countHeartbeat(ok: boolean): void {
    this.heartbeats.inc({ result: ok ? 'ok' : 'failed' });
  }

  setPolicyLag(records: number): void {
    this.policyLag.set(records);
  }
}
