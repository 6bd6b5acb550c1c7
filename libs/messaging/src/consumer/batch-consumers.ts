import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Topic } from '@attest/contracts';
import { BatchEventConsumer, BatchEventConsumerOptions } from './batch-event.consumer';
import { DeadLetterPublisher } from './dead-letter.publisher';

export interface BatchConsumerSpec<T extends Topic> extends Pick<BatchEventConsumerOptions<T>, 'handler' | 'fetch' | 'partitionsConsumedConcurrently' | 'maxAttempts'> {
  /** The consumer's own group is `<groupPrefix>.<service>.<name>`. */
  name: string;
}

export interface BatchConsumersContext {
  kafka: Kafka;
  dataSource: DataSource;
  deadLetters: DeadLetterPublisher;
  schema: string;
  service: string;
  groupPrefix: string;
  fromBeginning: boolean;
}

/** What readiness reports of one batch consumer. */
export interface BatchConsumerState {
  topic: Topic;
  groupId: string;
  connected: boolean;
}

/**
 * The service's batch consumers, made with its broker, database, schema and group naming, and kept
 * so that readiness covers them: a service whose busiest topic is not being consumed is not ready.
 */
export class BatchConsumers {
  private readonly consumers: Array<BatchEventConsumer<Topic>> = [];

  constructor(private readonly context: BatchConsumersContext) {}

  create<T extends Topic>(spec: BatchConsumerSpec<T>): BatchEventConsumer<T> {
    const { name, ...options } = spec;
    const { kafka, dataSource, deadLetters, schema, service, groupPrefix, fromBeginning } = this.context;
    const consumer = new BatchEventConsumer<T>({ ...options, kafka, dataSource, deadLetters, schema, fromBeginning, groupId: `${groupPrefix}.${service}.${name}` });
    this.consumers.push(consumer as unknown as BatchEventConsumer<Topic>);
    return consumer;
  }

  get states(): BatchConsumerState[] {
    return this.consumers.map((consumer) => ({ topic: consumer.topic, groupId: consumer.groupId, connected: consumer.isConnected }));
  }
}
