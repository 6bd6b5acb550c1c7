import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, register, Registry } from 'prom-client';
import { AccessOutcome, accessOutcomeSchema, Topic } from '@attest/contracts';
import { ApplyResult } from '../policy/domain/policy-view';

/**
 * The gateway's Prometheus metrics: the process defaults in prom-client's default registry, and
 * the gateway's own in a registry per instance, so two gateways in one process (tests) never collide.
 */
@Injectable()
export class GatewayMetrics {
  readonly contentType = register.contentType;
  private readonly registry = new Registry();
  // One pre-bound child per outcome keeps label hashing off the request path.
  private readonly requestsByOutcome: Record<AccessOutcome, { inc(): void }>;
  private readonly records: Counter<'topic' | 'result'>;
  private readonly viewReady: Gauge;

  constructor() {
    if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) collectDefaultMetrics();
    const requests = new Counter({
      name: 'gateway_requests_total',
      help: 'Requests answered by the gateway, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.requestsByOutcome = Object.fromEntries(
      accessOutcomeSchema.options.map((outcome) => [outcome, requests.labels(outcome)]),
    ) as Record<AccessOutcome, { inc(): void }>;
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
  }

  countRequest(outcome: AccessOutcome): void {
    this.requestsByOutcome[outcome].inc();
  }

  countRecord(topic: Topic, result: ApplyResult): void {
    this.records.inc({ topic, result });
  }

  setViewReady(ready: boolean): void {
    this.viewReady.set(ready ? 1 : 0);
  }

  async render(): Promise<string> {
    return `${await register.metrics()}\n${await this.registry.metrics()}`;
  }
}
