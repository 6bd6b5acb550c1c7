import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { fixKafkajsRequestQueue } from './kafkajs-request-queue.fix';

// Before any client exists: every connection made afterwards gets the fixed request queue.
if (fixKafkajsRequestQueue() === 'other-version') {
  new Logger('kafka').warn('kafkajs is not the version its request-queue fix was written for: the fix is not applied, check whether it is still needed');
}

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
}

/**
 * The one place that builds the Kafka client, so another client with the kafkajs API
 * (e.g. @confluentinc/kafka-javascript's KafkaJS mode) can replace it by configuration.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const logger = new Logger(`kafka:${options.clientId}`);
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const line = `${message} ${JSON.stringify(extra)}`;
        if (level === logLevel.ERROR) logger.error(line);
        else if (level === logLevel.WARN) logger.warn(line);
        else logger.debug(line);
      },
  });
}

export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}
