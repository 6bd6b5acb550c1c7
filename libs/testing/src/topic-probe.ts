import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';

export interface ProbedMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
  offset: string;
}

/**
 * Collects the messages on some topics so a test can assert on what was published: every one from the
 * beginning, or with `from: 'end'` only those published after `start()` resolved (a shared topic that
 * keeps every earlier run's events costs more to read than the suite's own work).
 */
export class TopicProbe {
  readonly messages: ProbedMessage[] = [];
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
    private readonly options: { from: 'beginning' | 'end' } = { from: 'beginning' },
  ) {}

  async start(): Promise<this> {
    const ends = this.options.from === 'end' ? await this.endOffsets() : [];
    const consumer = this.kafka.consumer({ groupId: `test-probe-${randomUUID()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.from === 'beginning' });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        this.messages.push(toProbed(topic, partition, message));
      },
    });
    for (const end of ends) consumer.seek(end);
    return this;
  }

  private async endOffsets(): Promise<Array<{ topic: string; partition: number; offset: string }>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const perTopic = await Promise.all(
        this.topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map((end) => ({ topic, partition: end.partition, offset: end.high }))),
      );
      return perTopic.flat();
    } finally {
      await admin.disconnect();
    }
  }

  where(predicate: (message: ProbedMessage) => boolean): ProbedMessage[] {
    return this.messages.filter(predicate);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function toProbed(topic: string, partition: number, message: KafkaMessage): ProbedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value === null ? null : parseOrRaw(message.value.toString('utf8')),
    headers,
  };
}

/** A probe must see malformed messages too (tests send them on purpose), so non-JSON stays a string. */
function parseOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
