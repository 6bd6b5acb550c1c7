import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { CatalogState, PolicyState, Topic, TopicPosition, TOPICS } from '@attest/contracts';
import { CompactedViewReader, DeadLetterPublisher, KAFKA, ViewRecord } from '@attest/messaging';
import { GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { Freshness, judgeFreshness, StalePolicyMode } from './domain/policy-freshness';
import { ApplyResult, PolicyView } from './domain/policy-view';

/** The compacted topics the view is rebuilt from. */
export const POLICY_VIEW_TOPICS = [TOPICS.policyState, TOPICS.catalogState] as const;

/**
 * Keeps the in-memory policy view following `policy.state.v1` and `catalog.state.v1`. When the
 * broker goes away the view keeps everything it applied; how long it may be trusted is `freshness`.
 */
@Injectable()
export class PolicyViewService {
  readonly view = new PolicyView();
  private reader: CompactedViewReader | null = null;
  private readonly budgetMs: number;
  private readonly staleMode: StalePolicyMode;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: GatewayMetrics,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {
    this.budgetMs = config.get('POLICY_STALENESS_BUDGET_MS', { infer: true });
    this.staleMode = config.get('STALE_POLICY_MODE', { infer: true });
    metrics.trackStaleness(() => {
      const staleness = this.msSinceLastFetch;
      return { stalenessMs: Number.isFinite(staleness) ? staleness : null, overBudget: this.isCaughtUp && staleness > this.budgetMs };
    });
  }

  /** True once the view held everything both topics held when the gateway started; it stays true. */
  get isCaughtUp(): boolean {
    return this.reader?.isCaughtUp ?? false;
  }

  get msSinceLastFetch(): number {
    return this.reader?.msSinceLastFetch ?? Number.POSITIVE_INFINITY;
  }

  get stalenessBudgetMs(): number {
    return this.budgetMs;
  }

  get stalePolicyMode(): StalePolicyMode {
    return this.staleMode;
  }

  /** Whether requests may be decided now, and what readiness says. Cheap: read on every request. */
  freshness(): Freshness {
    return judgeFreshness({ caughtUp: this.isCaughtUp, stalenessMs: this.msSinceLastFetch, budgetMs: this.budgetMs, mode: this.staleMode });
  }

  /** Next offset to read per partition of the view's topics: everything below it has been applied. */
  positions(): TopicPosition[] {
    return this.reader?.positions() ?? [];
  }

  /** Resolves once the view caught up; only meaningful after `start`. */
  whenReady(): Promise<void> {
    return this.reader?.ready ?? Promise.reject(new Error('the policy view was not started'));
  }

  /** Joins the topics from their beginning; the view keeps following them until `stop`. */
  async start(): Promise<void> {
    const reader = new CompactedViewReader({
      kafka: this.kafka,
      topics: POLICY_VIEW_TOPICS,
      // A group of its own per process (the reader adds a random suffix): every replica reads every partition.
      groupPrefix: `${this.config.get('KAFKA_GROUP_PREFIX', { infer: true })}.gateway.view`,
      deadLetters: this.deadLetters,
      apply: (record) => this.apply(record),
    });
    this.reader = reader;
    void reader.ready.then(() => this.metrics.setViewReady(true));
    await reader.start();
  }

  /** Stops following the topics. The view keeps what it holds, and its staleness grows from here. */
  async stop(): Promise<void> {
    await this.reader?.stop();
  }

  private apply(record: ViewRecord<Topic>): void {
    let result: ApplyResult;
    if (record.topic === TOPICS.policyState) {
      result = this.view.applyPolicy(record.key, (record.event?.data as PolicyState | undefined) ?? null);
    } else if (record.topic === TOPICS.catalogState) {
      result = this.view.applyCatalog(record.key, (record.event?.data as CatalogState | undefined) ?? null);
    } else {
      return;
    }
    this.metrics.countRecord(record.topic, result);
  }
}
