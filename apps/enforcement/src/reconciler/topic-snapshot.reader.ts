import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { CatalogState, PolicyState, TOPICS } from '@attest/contracts';
import { CompactedViewReader, DeadLetter, KAFKA } from '@attest/messaging';
import { EnforcementConfig, SERVICE } from '../config';
import { TopicRecord } from './domain/drift';
import { PartitionEnd, PartitionProgress, unreadPartitions } from './domain/read-progress';

const READ_TOPICS = [TOPICS.policyState, TOPICS.catalogState] as const;
const SETTLE_POLL_MS = 300;

export interface TopicSnapshot {
  policies: TopicRecord[];
  catalog: TopicRecord[];
  /**
   * Partitions not read to the end offset they had when reading began (`topic:partition`): what the
   * snapshot says about their keys is incomplete, so nothing may be judged from it.
   */
  unread: Set<string>;
}

/**
 * Reads policy.state.v1 and catalog.state.v1 from the beginning with a fresh consumer group, up to
 * the end offsets they had when it started, and returns every record in the order read.
 */
@Injectable()
export class TopicSnapshotReader {
  private readonly groupPrefix: string;
  private readonly timeoutMs: number;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    config: ConfigService<EnforcementConfig, true>,
  ) {
    this.groupPrefix = `${config.get('KAFKA_GROUP_PREFIX', { infer: true })}.${SERVICE}.reconciler`;
    this.timeoutMs = config.get('RECONCILE_READ_TIMEOUT_MS', { infer: true });
  }

  /** `signal` aborts the read (on shutdown) instead of waiting out the timeout. */
  async read(signal?: AbortSignal): Promise<TopicSnapshot> {
    const deadline = Date.now() + this.timeoutMs;
    const records: Omit<TopicSnapshot, 'unread'> = { policies: [], catalog: [] };
    const add = (topic: string, record: TopicRecord) => (topic === TOPICS.policyState ? records.policies : records.catalog).push(record);
    const ends = await this.endOffsets();
    const reader = new CompactedViewReader({
      kafka: this.kafka,
      topics: READ_TOPICS,
      groupPrefix: this.groupPrefix,
      // A record the reader cannot parse ends its key, as it does for a gateway (which dead-letters it) after
      // compaction removed what came before; it is noted here, not dead-lettered again on every run.
      deadLetters: {
        publish: async (letter: DeadLetter) => {
          add(letter.topic, { key: letter.key?.toString('utf8') ?? '', id: null, version: null, state: null });
        },
      },
      apply: ({ topic, key, event }) => {
        if (event === null) return add(topic, { key, id: null, version: null, state: null });
        const state = event.data as PolicyState | CatalogState;
        add(topic, { key, id: 'principalId' in state ? state.principalId : state.apiId, version: state.version, state });
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await reader.start();
      await Promise.race([
        reader.ready,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`compacted topics not read within ${this.timeoutMs} ms`)), this.timeoutMs);
          signal?.addEventListener('abort', () => reject(new Error('reading the compacted topics was aborted')), { once: true });
        }),
      ]);
      const unread = await this.settle({ reader, ends, deadline, signal });
      return { ...records, unread };
    } finally {
      clearTimeout(timer);
      await reader.stop();
    }
  }

  private async endOffsets(): Promise<PartitionEnd[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends: PartitionEnd[] = [];
      for (const topic of READ_TOPICS) {
        for (const end of await admin.fetchTopicOffsets(topic)) ends.push({ topic, partition: end.partition, low: end.low, high: end.high });
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The reader's `ready` may come early: it also counts a second without anything applied as the
   * end (for a tail that compaction removed), which a busy event loop can fake. So the reader keeps
   * following until every partition reached the end offset it had when reading began, or until
   * several fetches in a row brought nothing on the ones that did not (their tail is gone).
   */
  private async settle(input: { reader: CompactedViewReader; ends: PartitionEnd[]; deadline: number; signal?: AbortSignal }): Promise<Set<string>> {
    let progress: PartitionProgress | null = null;
    for (;;) {
      const lastFetchAt = Date.now() - input.reader.msSinceLastFetch;
      progress = unreadPartitions({ ends: input.ends, positions: input.reader.positions(), lastFetchAt, previous: progress });
      if (progress.behind.length === 0 || progress.givenUp) return new Set(progress.behind);
      if (Date.now() > input.deadline || input.signal?.aborted) return new Set(progress.behind);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }
}
