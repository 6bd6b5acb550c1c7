import { Logger } from '@nestjs/common';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { Envelope, EventMap, Topic, TOPIC_SPECS } from '@attest/contracts';
import { parseEvent } from '../event.parser';
import { DeadLetterPublisher } from './dead-letter.publisher';

export interface EventHandler<T extends Topic> {
  topic: T;
  /**
   * Applies one event. It runs inside the transaction that records the event id as processed, so
   * its effects and that record commit together: a redelivered event is skipped, never re-applied.
   */
  handle(event: Envelope<EventMap[T]>, tx: EntityManager): Promise<void>;
  /**
   * Deletes the key's state when a compacted topic carries a tombstone. Deleting is idempotent by
   * nature, so it needs no processed-id record. Without it, tombstones are skipped.
   */
  onTombstone?(key: string, tx: EntityManager): Promise<void>;
}

/** Thrown by a handler for an event that can never be applied (e.g. it names an unknown entity). */
export class UnprocessableEventError extends Error {}

export interface EventConsumerHostOptions {
  kafka: Kafka;
  dataSource: DataSource;
  schema: string;
  groupId: string;
  deadLetters: DeadLetterPublisher;
  /** Attempts before a failing event is dead-lettered; connection failures are retried without limit. */
  maxAttempts?: number;
  /**
   * Where a brand-new consumer group starts: the beginning (default: nothing is missed) or the end
   * (test runs, whose fresh groups must not replay other suites' history).
   */
  fromBeginning?: boolean;
  /**
   * How long processed event ids are kept (default 30 days, well past the default 7-day retention of
   * the topics whose redeliveries they guard against); older ones are deleted every `pruneEveryMs`.
   */
  processedRetentionMs?: number;
  pruneEveryMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_BATCH = 10_000;

const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|connection is closed|57P0[1-3]|08\d{3}/;

/**
 * Runs one consumer group for a service: validates every message, dead-letters invalid or
 * repeatedly failing ones with their reason, and applies the rest idempotently.
 */
export class EventConsumerHost {
  private readonly logger = new Logger(EventConsumerHost.name);
  private readonly handlers = new Map<Topic, EventHandler<Topic>>();
  private consumer: Consumer | null = null;
  private connected = false;
  private applied = 0;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: EventConsumerHostOptions) {}

  register<T extends Topic>(handler: EventHandler<T>): void {
    if (this.consumer) throw new Error(`cannot register a handler for ${handler.topic} after the consumer started`);
    if (this.handlers.has(handler.topic)) throw new Error(`a handler for ${handler.topic} is already registered`);
    this.handlers.set(handler.topic, handler as unknown as EventHandler<Topic>);
  }

  get topics(): Topic[] {
    return [...this.handlers.keys()];
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get appliedCount(): number {
    return this.applied;
  }

  async start(): Promise<void> {
    if (this.handlers.size === 0 || this.consumer) return;
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: 15000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 500,
    });
    // Connected once a fetch completed after joining: by then the group's start offsets are resolved,
    // so an event produced after readiness is never skipped by a consumer that starts at the end.
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    consumer.on(consumer.events.FETCH, () => (this.connected = joined));
    consumer.on(consumer.events.CRASH, () => (this.connected = joined = false));
    consumer.on(consumer.events.DISCONNECT, () => (this.connected = joined = false));
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => this.process(topic as Topic, partition, message),
    });
    this.pruneTimer = setInterval(() => {
      this.pruneProcessed().catch((error: Error) => this.logger.warn(`pruning processed event ids failed: ${error.message}`));
    }, this.options.pruneEveryMs ?? 60 * 60 * 1000);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
    const consumer = this.consumer;
    this.consumer = null;
    this.connected = false;
    await consumer?.disconnect();
  }

  /**
   * Deletes this group's processed event ids older than the retention, a batch at a time so no
   * single statement holds many locks. Returns how many were deleted.
   */
  async pruneProcessed(): Promise<number> {
    const { dataSource, schema, groupId } = this.options;
    const retentionMs = this.options.processedRetentionMs ?? 30 * DAY_MS;
    let deleted = 0;
    for (;;) {
      const [, count]: [unknown, number] = await dataSource.query(
        `DELETE FROM "${schema}".processed_events WHERE consumer = $1 AND event_id IN (
           SELECT event_id FROM "${schema}".processed_events
           WHERE consumer = $1 AND processed_at < now() - make_interval(secs => $2::double precision / 1000)
           LIMIT ${PRUNE_BATCH})`,
        [groupId, retentionMs],
      );
      deleted += count;
      if (count < PRUNE_BATCH) return deleted;
    }
  }

  private async process(topic: Topic, partition: number, message: KafkaMessage): Promise<void> {
    const handler = this.handlers.get(topic);
    if (!handler) throw new Error(`no handler registered for ${topic}`);
    if (message.value === null && TOPIC_SPECS[topic].compacted) {
      const key = message.key?.toString('utf8');
      if (key && handler.onTombstone) await this.options.dataSource.transaction((tx) => handler.onTombstone!(key, tx));
      return;
    }
    const parsed = parseEvent(topic, message.value);
    if (!parsed.ok) return this.deadLetter(topic, partition, message, parsed.reason);

    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.applyOnce(handler, parsed.event);
        return;
      } catch (error) {
        const reason = (error as Error).message ?? String(error);
        if (error instanceof UnprocessableEventError) return this.deadLetter(topic, partition, message, reason);
        // A database or broker outage is not the event's fault: keep it and retry instead of parking it.
        if (!CONNECTION_ERROR.test(reason) && attempt >= maxAttempts) {
          return this.deadLetter(topic, partition, message, `failed ${attempt} times: ${reason}`);
        }
        this.logger.warn(`${topic} event ${parsed.event.id} failed (attempt ${attempt}): ${reason}`);
        await delay(Math.min(100 * 2 ** (attempt - 1), 5000));
      }
    }
  }

  private async applyOnce(handler: EventHandler<Topic>, event: Envelope<EventMap[Topic]>): Promise<void> {
    const { dataSource, schema, groupId } = this.options;
    await dataSource.transaction(async (tx) => {
      const fresh: unknown[] = await tx.query(
        `INSERT INTO "${schema}".processed_events (consumer, event_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [groupId, event.id],
      );
      if (fresh.length === 0) return;
      await handler.handle(event, tx);
      this.applied++;
    });
  }

  private async deadLetter(topic: Topic, partition: number, message: KafkaMessage, reason: string): Promise<void> {
    await this.options.deadLetters.publish({
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      reason,
      consumer: this.options.groupId,
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
