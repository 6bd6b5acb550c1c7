import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { CatalogState, PolicyState, Topic, TOPICS } from '@attest/contracts';
import { CompactedViewReader, DeadLetterPublisher, KAFKA, ViewRecord } from '@attest/messaging';
import { GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { ApplyResult, PolicyView } from './domain/policy-view';

/** The compacted topics the view is rebuilt from. */
export const POLICY_VIEW_TOPICS = [TOPICS.policyState, TOPICS.catalogState] as const;

/** Keeps the in-memory policy view following `policy.state.v1` and `catalog.state.v1`. */
@Injectable()
export class PolicyViewService {
  readonly view = new PolicyView();
  private reader: CompactedViewReader | null = null;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: GatewayMetrics,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  /** True once the view holds everything both topics held when the gateway started. */
  get isReady(): boolean {
    return this.reader?.isCaughtUp ?? false;
  }

  get msSinceLastFetch(): number {
    return this.reader?.msSinceLastFetch ?? Number.POSITIVE_INFINITY;
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

  async stop(): Promise<void> {
    await this.reader?.stop();
    this.metrics.setViewReady(false);
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
