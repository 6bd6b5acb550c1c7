import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka, Partitioners } from 'kafkajs';
import { createKafkaClient, DeadLetterPublisher, deadLetterProviders, KAFKA, KAFKA_PRODUCER, MessagingMetrics, parseBrokers } from '@attest/messaging';
import { GatewayConfig } from '../config';

/**
 * The broker connection. The gateway cannot use the shared MessagingModule, which is built around a
 * service database (outbox, processed-event ids); it needs only a client, a producer and the DLQ.
 */
@Global()
@Module({
  providers: [
    {
      provide: KAFKA,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayConfig, true>) =>
        createKafkaClient({ clientId: 'gateway', brokers: parseBrokers(config.get('KAFKA_BROKERS', { infer: true })) }),
    },
    { provide: KAFKA_PRODUCER, inject: [KAFKA], useFactory: (kafka: Kafka) => kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner }) },
    ...deadLetterProviders(),
  ],
  exports: [KAFKA, KAFKA_PRODUCER, MessagingMetrics, DeadLetterPublisher],
})
export class KafkaModule {}
