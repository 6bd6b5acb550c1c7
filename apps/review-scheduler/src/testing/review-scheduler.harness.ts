import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Kafka, Producer } from 'kafkajs';
import { createKafkaClient, parseBrokers } from '@attest/messaging';
import { listenWhenReady, TEST_DATABASE_URL } from '@attest/testing';

export interface ReviewSchedulerHarness {
  app: INestApplication;
  baseUrl: string;
  kafka: Kafka;
  /** A connected producer, for the events the service consumes. */
  producer: Producer;
  close(): Promise<void>;
}

/** Starts review-scheduler in-process on the test database for an integration spec, and resolves once it is ready. */
export async function startReviewScheduler(options: { adminToken: string; clientId: string }): Promise<ReviewSchedulerHarness> {
  Object.assign(process.env, { DATABASE_URL: TEST_DATABASE_URL, NODE_ENV: 'test', LOG_LEVEL: 'silent', ATTEST_ADMIN_TOKEN: options.adminToken });
  // Imported only now: the module reads its settings from the environment set just above.
  const { AppModule } = await import('../app.module');
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  const baseUrl = await listenWhenReady(app, 'review-scheduler');

  const kafka = createKafkaClient({ clientId: options.clientId, brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') });
  const producer = kafka.producer();
  await producer.connect();
  return {
    app,
    baseUrl,
    kafka,
    producer,
    close: async () => {
      await producer.disconnect();
      await app.close();
    },
  };
}
