import {
  DynamicModule,
  Inject,
  Injectable,
  InjectionToken,
  Module,
  ModuleMetadata,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Provider,
} from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Topic } from '@attest/contracts';
import { createKafkaClient } from './kafka.client';
import { ensureTopics } from './topic.admin';
import { OutboxWriter } from './outbox/outbox.writer';
import { OutboxRelay } from './outbox/outbox.relay';
import { DeadLetterPublisher } from './consumer/dead-letter.publisher';
import { MessagingMetrics } from './messaging.metrics';
import { EventConsumerHost } from './consumer/event-consumer.host';
import { BatchConsumers } from './consumer/batch-consumers';

export const KAFKA = Symbol('KAFKA');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingModuleOptions {
  /** The service name: Kafka client id, consumer group `<prefix>.<service>`, envelope `source`. */
  service: string;
  /** The service's Postgres schema, holding its outbox and processed-event ids. */
  schema: string;
  /** Every topic the service produces or consumes; created at start when missing. */
  topics: readonly Topic[];
}

export interface MessagingConnection {
  brokers: string[];
  databaseUrl: string;
  /** Consumer group is `<groupPrefix>.<service>`. */
  groupPrefix: string;
  /** Where a new consumer group starts; see EventConsumerHostOptions.fromBeginning. */
  fromBeginning: boolean;
}

/**
 * The service's messaging metrics and its dead-letter publisher on `KAFKA_PRODUCER`, counting into
 * those metrics (which the service's `/metrics` renders): for every service, with or without this module.
 */
export function deadLetterProviders(): Provider[] {
  return [
    { provide: MessagingMetrics, useFactory: () => new MessagingMetrics() },
    {
      provide: DeadLetterPublisher,
      inject: [KAFKA_PRODUCER, MessagingMetrics],
      useFactory: (producer: Producer, metrics: MessagingMetrics) => new DeadLetterPublisher(producer, metrics),
    },
  ];
}

/** Where the service's broker and database are, read from its validated configuration at start. */
export const MESSAGING_CONNECTION = Symbol('MESSAGING_CONNECTION');

/**
 * Starts the messaging plumbing after the app's handlers registered themselves: topics exist,
 * the producer is connected, the outbox relay runs, and the consumer group is joined. Stops it in
 * reverse on shutdown so in-flight work finishes.
 */
@Injectable()
export class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    private readonly relay: OutboxRelay,
    private readonly consumers: EventConsumerHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureTopics(this.kafka, this.options.topics);
    await this.producer.connect();
    await this.relay.start();
    await this.consumers.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumers.stop();
    await this.relay.stop();
    await this.producer.disconnect();
  }
}

@Module({})
export class MessagingModule {
  static forService(
    options: MessagingModuleOptions & {
      imports?: ModuleMetadata['imports'];
      inject?: InjectionToken[];
      connection: (...deps: never[]) => MessagingConnection;
    },
  ): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: MESSAGING_CONNECTION, inject: options.inject ?? [], useFactory: options.connection },
        {
          provide: KAFKA,
          inject: [MESSAGING_CONNECTION],
          useFactory: (connection: MessagingConnection) =>
            createKafkaClient({ clientId: options.service, brokers: connection.brokers }),
        },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA],
          // One in-flight request keeps the outbox's commit order on the wire.
          useFactory: (kafka: Kafka) =>
            kafka.producer({
              maxInFlightRequests: 1,
              allowAutoTopicCreation: false,
              createPartitioner: Partitioners.DefaultPartitioner,
            }),
        },
        { provide: OutboxWriter, useFactory: () => new OutboxWriter(options.schema, options.service) },
        {
          provide: OutboxRelay,
          inject: [DataSource, KAFKA_PRODUCER, MESSAGING_CONNECTION],
          useFactory: (dataSource: DataSource, producer: Producer, connection: MessagingConnection) =>
            new OutboxRelay({ dataSource, databaseUrl: connection.databaseUrl, schema: options.schema, producer }),
        },
        ...deadLetterProviders(),
        {
          provide: EventConsumerHost,
          inject: [KAFKA, DataSource, DeadLetterPublisher, MESSAGING_CONNECTION],
          useFactory: (kafka: Kafka, dataSource: DataSource, deadLetters: DeadLetterPublisher, connection: MessagingConnection) =>
            new EventConsumerHost({
              kafka,
              dataSource,
              schema: options.schema,
              groupId: `${connection.groupPrefix}.${options.service}`,
              deadLetters,
              fromBeginning: connection.fromBeginning,
            }),
        },
        {
          provide: BatchConsumers,
          inject: [KAFKA, DataSource, DeadLetterPublisher, MESSAGING_CONNECTION],
          useFactory: (kafka: Kafka, dataSource: DataSource, deadLetters: DeadLetterPublisher, connection: MessagingConnection) =>
            new BatchConsumers({
              kafka,
              dataSource,
              deadLetters,
              schema: options.schema,
              service: options.service,
              groupPrefix: connection.groupPrefix,
              fromBeginning: connection.fromBeginning,
            }),
        },
        MessagingLifecycle,
      ],
      exports: [KAFKA, KAFKA_PRODUCER, OutboxWriter, OutboxRelay, MessagingMetrics, DeadLetterPublisher, EventConsumerHost, BatchConsumers],
    };
  }
}
