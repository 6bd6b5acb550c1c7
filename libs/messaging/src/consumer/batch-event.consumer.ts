import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { Envelope, EventMap, Topic, TOPIC_SPECS } from '@attest/contracts';
import { parseEvent, ParsedEvent } from '../event.parser';
import { DeadLetterPublisher } from './dead-letter.publisher';

/** One validated record of a batch, with where it came from. */
export interface BatchEvent<T extends Topic> {
  event: Envelope<EventMap[T]>;
  partition: number;
  offset: string;
}

/** A record the handler found can never be applied; it is dead-lettered with this reason. */
export interface RejectedBatchEvent {
  offset: string;
  reason: string;
}

export interface BatchEventHandler<T extends Topic> {
  topic: T;
  /**
   * Applies the valid, not yet applied records of one partition's batch, in offset order. It runs in
   * the transaction that advances the consumer's stored position past them, so a redelivered record
   * is skipped, never re-applied. Returns the records it cannot apply, to be dead-lettered.
   */
  handle(events: ReadonlyArray<BatchEvent<T>>, tx: EntityManager): Promise<RejectedBatchEvent[] | void>;
}

export interface BatchFetchOptions {
  /** The broker answers a fetch once it has this many bytes (or `maxWaitTimeInMs` passed). */
  minBytes?: number;
  maxBytes?: number;
  /** Bounds the size of one partition's batch, and so of one transaction. */
  maxBytesPerPartition?: number;
  maxWaitTimeInMs?: number;
}

export interface BatchEventConsumerOptions<T extends Topic> {
  kafka: Kafka;
  dataSource: DataSource;
  /** The service's schema, holding `consumer_positions` (see `consumerPositionsMigration`). */
  schema: string;
  /** Kafka consumer group, also the `consumer` under which positions are stored. */
  groupId: string;
  deadLetters: DeadLetterPublisher;
  handler: BatchEventHandler<T>;
  /**
   * Where a group with no committed offsets starts: the beginning (default: nothing is missed) or the
   * end (test runs, whose fresh groups must not replay other suites' history).
   */
  fromBeginning?: boolean;
  fetch?: BatchFetchOptions;
  /** Partitions whose batches are applied at the same time, each in its own transaction. */
  partitionsConsumedConcurrently?: number;
  /**
   * Attempts before a failing batch is split in halves to find the records that fail; a single
   * record that keeps failing is dead-lettered. Connection failures are retried without limit.
   */
  maxAttempts?: number;
}

interface Entry<T extends Topic> {
  message: KafkaMessage;
  offset: bigint;
  /** null for a tombstone, which carries nothing to apply. */
  parsed: ParsedEvent<T> | null;
}

interface BatchContext {
  partition: number;
  isRunning: () => boolean;
}

const TRANSIENT_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|connection is closed|timeout exceeded when trying to connect/;
/** Connection, deadlock and serialization failures: none is the records' fault, so they are retried without limit. */
const TRANSIENT_SQLSTATE = /^(08\d{3}|57P0[1-3]|40001|40P01)$/;

/**
 * Consumes one topic in batches: validates every record, dead-letters invalid ones with their reason,
 * key and offset, and hands the rest of each partition's batch to the handler in one transaction
 * that also stores the partition's next offset in `consumer_positions`. Kafka offsets are committed
 * only after that transaction, and records below the stored position are skipped, so redelivery
 * (a crash before the Kafka commit, a rebalance, an offset reset) never applies a record twice.
 *
 * Per partition, one batch is applied while the next is fetched and validated: the database and the
 * broker work while this process parses, instead of each waiting for the other.
 */
export class BatchEventConsumer<T extends Topic> {
  private readonly logger = new Logger(BatchEventConsumer.name);
  readonly topic: T;
  /** Positions this process committed; the stored ones only grow, so anything below is already applied. */
  private readonly committed = new Map<number, bigint>();
  private consumer: Consumer | null = null;
  /** Per partition, the batch being applied: true once committed, false if abandoned (stopping). */
  private readonly applying = new Map<number, Promise<boolean>>();
  /** eachBatch calls under way, so `stop` can let them hand their batch over first. */
  private executing = 0;
  /** Set by `stop`, so a batch failing meanwhile (the database is down) gives up instead of holding it. */
  private stopping = false;
  private leaving: Promise<void> | null = null;
  private connected = false;
  private applied = 0;
  private skipped = 0;
  private deadLettered = 0;

  constructor(private readonly options: BatchEventConsumerOptions<T>) {
    this.topic = options.handler.topic;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The consumer group, also the `consumer` its positions are stored under. */
  get groupId(): string {
    return this.options.groupId;
  }

  /** Records handed to the handler and committed. */
  get appliedCount(): number {
    return this.applied;
  }

  /** Redelivered records skipped because the stored position was already past them. */
  get skippedCount(): number {
    return this.skipped;
  }

  get deadLetteredCount(): number {
    return this.deadLettered;
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const fetch = this.options.fetch ?? {};
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      minBytes: fetch.minBytes,
      maxBytes: fetch.maxBytes,
      maxBytesPerPartition: fetch.maxBytesPerPartition,
      maxWaitTimeInMs: fetch.maxWaitTimeInMs ?? 500,
    });
    // Connected once a fetch completed after joining: by then the group's start offsets are resolved,
    // so a record produced after readiness is never skipped by a group that starts at the end.
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    consumer.on(consumer.events.FETCH, () => (this.connected = joined));
    consumer.on(consumer.events.CRASH, () => (this.connected = joined = false));
    consumer.on(consumer.events.DISCONNECT, () => (this.connected = joined = false));
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      // Offsets are committed by hand, after the database commit of what they cover.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /** Stops fetching, lets the batches already fetched be applied and their offsets committed, then leaves. */
  async stop(): Promise<void> {
    this.leaving ??= this.drainAndLeave().finally(() => (this.leaving = null));
    await this.leaving;
  }

  private async drainAndLeave(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.connected = false;
    this.stopping = true;
    try {
      consumer.pause([{ topic: this.topic }]);
      while (this.executing > 0) await delay(10);
      await Promise.all(this.applying.values());
    } finally {
      this.consumer = null;
      this.stopping = false;
      await consumer.disconnect();
    }
  }

  private async processBatch({ batch, resolveOffset, isRunning }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    this.executing++;
    try {
      const partition = batch.partition;
      const known = this.committed.get(partition) ?? -1n;
      const entries: Array<Entry<T>> = [];
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        if (offset < known) {
          this.skipped++;
          continue;
        }
        entries.push({ message, offset, parsed: this.parse(message) });
      }
      // Parsed while the previous batch was being applied; its records must be in before these.
      const previous = this.applying.get(partition);
      if (previous && !(await previous)) {
        this.applying.delete(partition);
        // Only a stopping runner abandons a batch; its successor reads again from the committed offsets.
        throw new Error(`${this.topic}[${partition}]: an earlier batch was not applied; consuming again from the committed offset`);
      }
      const last = batch.messages[batch.messages.length - 1].offset;
      const next = (BigInt(last) + 1n).toString();
      const consumer = this.consumer;
      const work = (entries.length > 0 ? this.applyRange({ partition, isRunning: () => isRunning() && !this.stopping }, entries) : Promise.resolve()).then(
        async () => {
          // Only now, with the database committed, may Kafka learn that these records are done.
          await consumer?.commitOffsets([{ topic: this.topic, partition, offset: next }]).catch((error: Error) => {
            // A hint only (the stored position is the truth): a rebalance may refuse it, the next commit repeats it.
            this.logger.debug(`${this.topic}[${partition}]: offset commit refused: ${error.message}`);
          });
          return true;
        },
        (error: Error) => {
          this.logger.warn(`${this.topic}[${partition}]: batch ending at ${last} abandoned while stopping: ${error.message}`);
          return false;
        },
      );
      this.applying.set(partition, work);
      // The fetch position moves on, so the next batch is fetched and parsed while this one is applied.
      resolveOffset(last);
    } finally {
      this.executing--;
    }
  }

  private parse(message: KafkaMessage): ParsedEvent<T> | null {
    if (message.value === null && TOPIC_SPECS[this.topic].compacted) return null;
    return parseEvent(this.topic, message.value);
  }

  /** Applies a run of consecutive records, splitting it to isolate records that keep failing. */
  private async applyRange(context: BatchContext, entries: Array<Entry<T>>, failure?: string): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.applyOnce(context, entries, failure);
        return;
      } catch (error) {
        const reason = (error as Error).message ?? String(error);
        const transient = isTransient(error);
        // Giving up is safe: Kafka's committed offset is still before these records, so they come back.
        if (!context.isRunning()) throw error;
        // Parking a record that failed must not itself give up: that would drop the record.
        if (!transient && failure === undefined && attempt >= maxAttempts) {
          if (entries.length === 1) return this.applyRange(context, entries, `failed ${attempt} times: ${reason}`);
          const middle = Math.ceil(entries.length / 2);
          this.logger.warn(`${this.topic}[${context.partition}]: ${entries.length} records failed ${attempt} times, splitting: ${reason}`);
          await this.applyRange(context, entries.slice(0, middle));
          await this.applyRange(context, entries.slice(middle));
          return;
        }
        this.logger.warn(`${this.topic}[${context.partition}]: batch of ${entries.length} failed (attempt ${attempt}): ${reason}`);
        await delay(Math.min(100 * 2 ** (attempt - 1), 5000));
      }
    }
  }

  /**
   * One transaction: lock the partition's position (a rebalanced-away member still finishing the same
   * records waits here, then skips them), apply what lies at or past it, dead-letter what cannot apply,
   * and move the position past the run. With `failure`, every fresh record is dead-lettered instead.
   */
  private async applyOnce(context: BatchContext, entries: Array<Entry<T>>, failure?: string): Promise<void> {
    const { partition } = context;
    const next = entries[entries.length - 1].offset + 1n;
    let appliedHere = 0;
    let letteredHere = 0;
    let skippedHere = 0;
    await this.options.dataSource.transaction(async (tx) => {
      appliedHere = letteredHere = skippedHere = 0;
      const stored = await this.lockPosition(tx, partition);
      const fresh = entries.filter((entry) => entry.offset >= stored);
      skippedHere = entries.length - fresh.length;
      if (fresh.length === 0) return;
      const letters: Array<{ message: KafkaMessage; reason: string }> = [];
      if (failure !== undefined) {
        for (const entry of fresh) letters.push({ message: entry.message, reason: failure });
      } else {
        const events: Array<BatchEvent<T>> = [];
        const byOffset = new Map<string, KafkaMessage>();
        for (const entry of fresh) {
          if (entry.parsed === null) continue;
          if (!entry.parsed.ok) letters.push({ message: entry.message, reason: entry.parsed.reason });
          else {
            events.push({ event: entry.parsed.event, partition, offset: entry.message.offset });
            byOffset.set(entry.message.offset, entry.message);
          }
        }
        const rejected = events.length > 0 ? ((await this.options.handler.handle(events, tx)) ?? []) : [];
        for (const { offset, reason } of rejected) {
          const message = byOffset.get(offset);
          if (!message) throw new Error(`handler rejected offset ${offset}, which was not in its batch`);
          letters.push({ message, reason });
        }
        appliedHere = events.length - rejected.length;
      }
      // Parked before the commit: a crash in between re-parks the record rather than losing it.
      await Promise.all(letters.map((letter) => this.deadLetter(partition, letter)));
      letteredHere = letters.length;
      await tx.query(
        `UPDATE "${this.options.schema}".consumer_positions SET next_offset = $4, updated_at = now()
         WHERE consumer = $1 AND topic = $2 AND partition = $3 AND next_offset < $4`,
        [this.options.groupId, this.topic, partition, next.toString()],
      );
    });
    this.applied += appliedHere;
    this.deadLettered += letteredHere;
    this.skipped += skippedHere;
    if ((this.committed.get(partition) ?? -1n) < next) this.committed.set(partition, next);
  }

  /** Reads the stored position, creating it at 0 when new, and holds its row lock until the commit. */
  private async lockPosition(tx: EntityManager, partition: number): Promise<bigint> {
    const rows: Array<{ next_offset: string }> = await tx.query(
      `INSERT INTO "${this.options.schema}".consumer_positions AS p (consumer, topic, partition, next_offset)
       VALUES ($1, $2, $3, 0)
       ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = p.next_offset
       RETURNING next_offset`,
      [this.options.groupId, this.topic, partition],
    );
    return BigInt(rows[0].next_offset);
  }

  private async deadLetter(partition: number, letter: { message: KafkaMessage; reason: string }): Promise<void> {
    await this.options.deadLetters.publish({
      topic: this.topic,
      partition,
      offset: letter.message.offset,
      key: letter.message.key,
      value: letter.message.value,
      reason: letter.reason,
      consumer: this.options.groupId,
    });
  }
}

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SQLSTATE.test(code)) return true;
  return TRANSIENT_ERROR.test((error as Error).message ?? '');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
