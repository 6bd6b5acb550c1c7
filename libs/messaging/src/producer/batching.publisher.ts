import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EVENT_CONTRACTS, EventInputMap, EventMap, Topic } from '@attest/contracts';
import { buildEnvelope } from '../envelope.factory';
import { IsoClock } from '../iso-clock';
import { RecordProducer, refusedAsTooLarge } from './record-producer';

export interface BatchingPublisherOptions<T extends Topic> {
  /** kafkajs's producer, or `FastRecordProducer` where records are many. */
  producer: RecordProducer;
  topic: T;
  source: string;
  /** Flush when this many messages are waiting, and never send more than this in one request... */
  maxBatch?: number;
  /** ...or this long after the first one arrived. */
  lingerMs?: number;
  /** Messages kept while the broker is unreachable; past this the oldest are dropped and their records counted. */
  maxBuffered?: number;
  /**
   * Skip re-validating each payload against its schema. Only for callers whose payloads are built by
   * type-checked code on a hot path; consumers validate every message regardless.
   */
  trustedPayloads?: boolean;
}

interface BufferedMessage {
  key: string;
  value: string;
  partition?: number;
  records: number;
}

function recordsIn(messages: readonly BufferedMessage[]): number {
  let records = 0;
  for (const message of messages) records += message.records;
  return records;
}

/**
 * Fire-and-forget publishing for high-volume records (access logs): `publish` only appends to a
 * buffer, so the caller's hot path never waits on Kafka; batches are produced in the background, in
 * chunks no larger than `maxBatch`, so a backlog built up during an outage drains in bounded requests.
 */
export class BatchingPublisher<T extends Topic> {
  private readonly logger = new Logger(BatchingPublisher.name);
  private buffer: BufferedMessage[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<boolean> | null = null;
  private closed = false;
  private dropped = 0;
  private sent = 0;
  private readonly maxBatch: number;
  private readonly contract: (typeof EVENT_CONTRACTS)[T];
  private readonly clock = new IsoClock();

  constructor(private readonly options: BatchingPublisherOptions<T>) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.contract = EVENT_CONTRACTS[options.topic];
  }

  /** Records dropped (a message counts as the records it carries). */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Records the broker acknowledged. */
  get sentCount(): number {
    return this.sent;
  }

  /** Messages waiting to be sent. */
  get bufferedCount(): number {
    return this.buffer.length;
  }

  /**
   * Buffers one message. `partition` sends it there instead of where its key hashes; `records` is how
   * many records it carries (a batch message carries many), which is what the counts count.
   */
  publish(key: string, data: EventInputMap[T], options?: { partition?: number; records?: number }): void {
    this.buffer.push({ key, value: JSON.stringify(this.envelope(key, data)), partition: options?.partition, records: options?.records ?? 1 });
    const maxBuffered = this.options.maxBuffered ?? 100_000;
    if (this.buffer.length > maxBuffered) {
      this.dropped += recordsIn(this.buffer.splice(0, this.buffer.length - maxBuffered));
    }
    if (this.closed) return;
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.options.lingerMs ?? 50);
  }

  /** Sends everything buffered, chunk by chunk; resolves when done or when a send failed (re-queued). */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.inFlight) await this.inFlight;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.maxBatch);
      this.inFlight = this.send(batch).finally(() => {
        this.inFlight = null;
      });
      if (!(await this.inFlight)) return;
    }
  }

  /** Flushes what it can and stops retrying; the producer may be disconnected afterwards. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.clearTimer();
  }

  /** Sends a batch; a failure puts what was not sent back at the head of the buffer and retries later. */
  private async send(batch: BufferedMessage[]): Promise<boolean> {
    const unsent = await this.attempt(batch);
    if (unsent.length === 0) return true;
    this.buffer = unsent.concat(this.buffer);
    if (!this.closed && !this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
    return false;
  }

  /**
   * The messages of the batch not sent, in order. A batch the broker refuses for its size would be
   * refused forever and hold up everything queued behind it, so its halves are sent in turn instead;
   * a single message still too large is dropped and counted, since no send can ever deliver it.
   */
  private async attempt(batch: BufferedMessage[]): Promise<BufferedMessage[]> {
    try {
      await this.options.producer.send({ topic: this.options.topic, acks: 1, messages: batch });
      this.sent += recordsIn(batch);
      return [];
    } catch (error) {
      if (!refusedAsTooLarge(error)) {
        this.logger.warn(`could not publish ${batch.length} messages to ${this.options.topic}: ${(error as Error).message}`);
        return batch;
      }
      if (batch.length === 1) {
        this.dropped += batch[0].records;
        this.logger.error(`dropped a message of ${Buffer.byteLength(batch[0].value)} bytes for ${this.options.topic}: larger than the broker accepts`);
        return [];
      }
      const first = batch.slice(0, Math.ceil(batch.length / 2));
      const second = batch.slice(first.length);
      const unsent = await this.attempt(first);
      return unsent.length > 0 ? unsent.concat(second) : this.attempt(second);
    }
  }

  private envelope(key: string, data: EventInputMap[T]) {
    if (!this.options.trustedPayloads) return buildEnvelope({ topic: this.options.topic, subject: key, data, source: this.options.source });
    return {
      id: randomUUID(),
      type: this.contract.type,
      version: this.contract.version,
      occurredAt: this.clock.format(Date.now()),
      source: this.options.source,
      subject: key,
      data: data as EventMap[T],
    };
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
