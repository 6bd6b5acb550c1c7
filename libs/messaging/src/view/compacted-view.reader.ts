import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Consumer, Kafka } from 'kafkajs';
import { Envelope, EventMap, Topic } from '@attest/contracts';
import { parseEvent } from '../event.parser';
import { DeadLetterSink } from '../consumer/dead-letter.publisher';

export interface ViewRecord<T extends Topic> {
  topic: T;
  key: string;
  /** null is a tombstone: the key's state is deleted. */
  event: Envelope<EventMap[T]> | null;
}

export interface CompactedViewReaderOptions {
  kafka: Kafka;
  topics: readonly Topic[];
  /** A fresh group per process, so every replica reads every partition from the start. */
  groupPrefix: string;
  /** Where records that do not parse go: a service parks them on `<topic>.dlq`; a one-off read may only note them. */
  deadLetters: DeadLetterSink;
  apply: (record: ViewRecord<Topic>) => void;
}

/**
 * How many fetches in a row must bring nothing new, and for how long, before the view counts as
 * caught up although some partition ended below its start offset. Counting fetches (not only time)
 * keeps a busy event loop from passing for an idle broker.
 */
const QUIET_FETCHES = 3;
const QUIET_CATCH_UP_MS = 1000;

/**
 * Rebuilds an in-memory view from compacted topics: reads each from the beginning, applies every
 * record, and reports when it has caught up, then keeps following. Caught up means every partition
 * was read up to the end offset it had at start, or, since compaction may remove a partition's last
 * record (an old tombstone), that fetches kept returning nothing new for a quiet period.
 */
export class CompactedViewReader {
  private readonly logger = new Logger(CompactedViewReader.name);
  private consumer: Consumer | null = null;
  private readonly pending = new Map<string, bigint>();
  /** Next offset to read per `topic:partition`: everything below it has been applied. */
  private readonly nextOffsets = new Map<string, { topic: string; partition: number; offset: bigint }>();
  private caughtUp = false;
  private lastFetchAt = 0;
  private lastAppliedAt = 0;
  private fetchesSinceApplied = 0;
  private joinedAt = 0;
  private readonly groupId: string;
  private resolveCaughtUp: () => void = () => undefined;
  /** Resolves once every partition has been read up to the end offset it had at start. */
  readonly ready: Promise<void>;

  constructor(private readonly options: CompactedViewReaderOptions) {
    this.groupId = `${options.groupPrefix}.${randomUUID()}`;
    this.ready = new Promise((resolve) => (this.resolveCaughtUp = resolve));
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Milliseconds since the broker last answered a fetch; how stale the view may be. */
  get msSinceLastFetch(): number {
    return this.lastFetchAt === 0 ? Number.POSITIVE_INFINITY : Date.now() - this.lastFetchAt;
  }

  async start(): Promise<void> {
    await this.recordEndOffsets();
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 250,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => (this.joinedAt = Date.now()));
    consumer.on(consumer.events.FETCH, () => {
      this.lastFetchAt = Date.now();
      this.fetchesSinceApplied++;
      this.checkQuiet();
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = message.key?.toString('utf8') ?? '';
        if (message.value === null) {
          this.options.apply({ topic: topic as Topic, key, event: null });
        } else {
          const parsed = parseEvent(topic as Topic, message.value);
          if (parsed.ok) this.options.apply({ topic: topic as Topic, key, event: parsed.event });
          else
            await this.options.deadLetters.publish({
              topic: topic as Topic,
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              reason: parsed.reason,
              consumer: this.groupId,
            });
        }
        this.lastAppliedAt = Date.now();
        this.fetchesSinceApplied = 0;
        this.markConsumed(topic, partition, BigInt(message.offset));
      },
    });
    this.checkCaughtUp();
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect();
  }

  private async recordEndOffsets(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      for (const topic of this.options.topics) {
        for (const partition of await admin.fetchTopicOffsets(topic)) {
          const high = BigInt(partition.high);
          const low = BigInt(partition.low);
          if (high > low) this.pending.set(`${topic}:${partition.partition}`, high - 1n);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** What this reader has applied, per partition, for heartbeats that confirm enforcement. */
  positions(): Array<{ topic: string; partition: number; offset: string }> {
    return [...this.nextOffsets.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset.toString() }));
  }

  private markConsumed(topic: string, partition: number, offset: bigint): void {
    this.nextOffsets.set(`${topic}:${partition}`, { topic, partition, offset: offset + 1n });
    if (this.caughtUp) return;
    const id = `${topic}:${partition}`;
    const target = this.pending.get(id);
    if (target !== undefined && offset >= target) this.pending.delete(id);
    this.checkCaughtUp();
  }

  private checkQuiet(): void {
    if (this.caughtUp || this.joinedAt === 0 || this.fetchesSinceApplied < QUIET_FETCHES) return;
    const quietSince = Math.max(this.joinedAt, this.lastAppliedAt);
    if (this.lastFetchAt - quietSince >= QUIET_CATCH_UP_MS) {
      this.logger.warn(`view reached the end of ${[...this.pending.keys()].join(', ')} below its start offsets (compacted away)`);
      this.pending.clear();
      this.checkCaughtUp();
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || this.pending.size > 0) return;
    this.caughtUp = true;
    this.logger.log(`view caught up on ${this.options.topics.join(', ')}`);
    this.resolveCaughtUp();
  }
}
