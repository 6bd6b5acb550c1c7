import { Logger } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { deadLetterTopic, Topic } from '@attest/contracts';
import { MessagingMetrics } from '../messaging.metrics';

export interface DeadLetter {
  topic: Topic;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  consumer: string;
}

/** Takes the messages a consumer cannot apply. */
export interface DeadLetterSink {
  publish(letter: DeadLetter): Promise<void>;
}

/** Past this many dead letters a minute per topic and consumer, the rest are counted, not each logged. */
const LOGGED_PER_MINUTE = 10;

/**
 * Parks a message that cannot be applied on `<topic>.dlq`, with its reason, key and offset, counts it
 * on the metrics, and logs it (a burst of them is logged in part, with how many went unlogged).
 */
export class DeadLetterPublisher implements DeadLetterSink {
  private readonly logger = new Logger(DeadLetterPublisher.name);
  private readonly logWindows = new Map<string, { startedAtMs: number; logged: number; unlogged: number }>();

  constructor(
    private readonly producer: Producer,
    private readonly metrics: MessagingMetrics,
  ) {}

  async publish(letter: DeadLetter): Promise<void> {
    this.log(letter);
    await this.producer.send({
      topic: deadLetterTopic(letter.topic),
      acks: -1,
      messages: [
        {
          key: letter.key,
          value: letter.value,
          headers: {
            'x-dlq-reason': letter.reason.slice(0, 1000),
            'x-dlq-topic': letter.topic,
            'x-dlq-partition': String(letter.partition),
            'x-dlq-offset': letter.offset,
            'x-dlq-consumer': letter.consumer,
          },
        },
      ],
    });
    this.metrics.countDeadLetter(letter);
  }

  private log(letter: DeadLetter): void {
    const stream = `${letter.topic} for ${letter.consumer}`;
    const now = Date.now();
    let window = this.logWindows.get(stream);
    if (window === undefined || now - window.startedAtMs >= 60_000) {
      if (window !== undefined && window.unlogged > 0) {
        this.logger.warn(`${window.unlogged} more messages of ${stream} were dead-lettered in the minute after ${new Date(window.startedAtMs).toISOString()}`);
      }
      window = { startedAtMs: now, logged: 0, unlogged: 0 };
      this.logWindows.set(stream, window);
    }
    if (window.logged >= LOGGED_PER_MINUTE) {
      window.unlogged++;
      return;
    }
    window.logged++;
    const more = window.logged === LOGGED_PER_MINUTE ? ' (more this minute are counted on attest_messages_dead_lettered_total, not logged)' : '';
    this.logger.warn(`dead-lettering ${letter.topic}[${letter.partition}]@${letter.offset} for ${letter.consumer}: ${letter.reason}${more}`);
  }
}
