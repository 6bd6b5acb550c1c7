import { Logger } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { EventInputMap, Topic } from '@attest/contracts';
import { buildEnvelope } from '../envelope.factory';

export interface BatchingPublisherOptions<T extends Topic> {
  producer: Producer;
  topic: T;
  source: string;
  /** Flush when this many records are waiting... */
  maxBatch?: number;
  /** ...or this long after the first one arrived. */
  lingerMs?: number;
  /** Records kept while the broker is unreachable; past this the oldest are dropped and counted. */
  maxBuffered?: number;
}

/**
 * Fire-and-forget publishing for high-volume records (access logs): `publish` only appends to a
 * buffer, so the caller's hot path never waits on Kafka; batches are produced in the background.
 */
export class BatchingPublisher<T extends Topic> {
  private readonly logger = new Logger(BatchingPublisher.name);
  private buffer: Array<{ key: string; value: string }> = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private dropped = 0;
  private sent = 0;

  constructor(private readonly options: BatchingPublisherOptions<T>) {}

  get droppedCount(): number {
    return this.dropped;
  }

  get sentCount(): number {
    return this.sent;
  }

  get bufferedCount(): number {
    return this.buffer.length;
  }

  publish(key: string, data: EventInputMap[T]): void {
    const envelope = buildEnvelope({ topic: this.options.topic, subject: key, data, source: this.options.source });
    this.buffer.push({ key, value: JSON.stringify(envelope) });
    const maxBuffered = this.options.maxBuffered ?? 100_000;
    if (this.buffer.length > maxBuffered) {
      const excess = this.buffer.length - maxBuffered;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
    if (this.buffer.length >= (this.options.maxBatch ?? 1000)) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.options.lingerMs ?? 50);
  }

  /** Sends everything buffered; resolves when the broker acknowledged it (or it was re-queued). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight) {
      await this.inFlight;
      if (this.buffer.length === 0) return;
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight = this.options.producer
      .send({ topic: this.options.topic, acks: 1, messages: batch })
      .then(() => {
        this.sent += batch.length;
      })
      .catch((error: Error) => {
        this.logger.warn(`could not publish ${batch.length} records to ${this.options.topic}: ${error.message}`);
        this.buffer = batch.concat(this.buffer);
        if (!this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
      })
      .finally(() => {
        this.inFlight = null;
      });
    await this.inFlight;
  }
}
