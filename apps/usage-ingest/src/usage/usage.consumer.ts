import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { TOPICS } from '@attest/contracts';
import { BatchConsumers, BatchEventConsumer, KAFKA } from '@attest/messaging';
import { SERVICE, UsageIngestConfig } from '../config';
import { UsageService } from './usage.service';
import { adoptLegacyAccessLogOffsets } from './access-log-group.migration';

/**
 * Counts the gateway's calls a batch at a time. The access log is by far the busiest topic, so it
 * has a batch consumer of its own (its own group) whose stored positions keep a redelivered batch
 * from counting twice; access.grants.v1 stays on the service's event consumer host.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageConsumer.name);
  readonly consumer: BatchEventConsumer<typeof TOPICS.accessLog>;
  private readonly groupPrefix: string;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    consumers: BatchConsumers,
    config: ConfigService<UsageIngestConfig, true>,
    private readonly usage: UsageService,
  ) {
    this.groupPrefix = config.get('KAFKA_GROUP_PREFIX', { infer: true });
    this.consumer = consumers.create({
      name: 'access-log',
      fetch: {
        minBytes: config.get('ACCESS_LOG_MIN_BYTES', { infer: true }),
        maxBytes: config.get('ACCESS_LOG_MAX_BYTES', { infer: true }),
        maxBytesPerPartition: config.get('ACCESS_LOG_MAX_BYTES_PER_PARTITION', { infer: true }),
        maxWaitTimeInMs: config.get('ACCESS_LOG_MAX_WAIT_MS', { infer: true }),
      },
      partitionsConsumedConcurrently: config.get('ACCESS_LOG_PARTITIONS_CONCURRENTLY', { infer: true }),
      handler: {
        topic: TOPICS.accessLog,
        handle: async (events, tx) => {
          const result = await this.usage.ingest(tx, events.map((e) => e.event.data));
          return result.rejected.map(({ index, reason }) => ({ offset: events[index].offset, reason }));
        },
      },
    });
  }

  get groupId(): string {
    return this.consumer.groupId;
  }

  // The messaging module is global, so its start-up (topics, producer for dead letters) has run before this.
  async onApplicationBootstrap(): Promise<void> {
    await adoptLegacyAccessLogOffsets({ kafka: this.kafka, legacyGroup: `${this.groupPrefix}.${SERVICE}`, group: this.groupId });
    await this.consumer.start();
    this.logger.log(`consuming ${TOPICS.accessLog} in batches`);
  }

  // Runs before the messaging module's shutdown disconnects the producer that dead letters need.
  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
