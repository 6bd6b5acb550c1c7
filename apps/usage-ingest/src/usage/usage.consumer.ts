import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { AccessLogRecord, accessLogRecordsOf, Topic, TOPICS } from '@attest/contracts';
import { BatchConsumers, BatchConsumerSpec, BatchEvent, BatchEventConsumer, KAFKA, RejectedBatchEvent } from '@attest/messaging';
import { SERVICE, UsageIngestConfig } from '../config';
import { UsageService } from './usage.service';
import { adoptLegacyAccessLogOffsets } from './access-log-group.migration';

/**
 * Counts the gateway's calls a batch at a time. The access log is by far the busiest traffic, so each
 * of its topics has a batch consumer of its own (its own group) whose stored positions keep a
 * redelivered batch from counting twice; access.grants.v1 stays on the service's event consumer host.
 *
 * Gateways produce `gateway.access-log.v2` (many requests per message); `gateway.access-log.v1` (one
 * request per message) is still consumed while gateways that produce it remain, during a rolling
 * upgrade. Both are counted the same way, by the same `UsageService.ingest`.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageConsumer.name);
  /** `gateway.access-log.v1`: one record per message. */
  readonly accessLog: BatchEventConsumer<typeof TOPICS.accessLog>;
  /** `gateway.access-log.v2`: up to `ACCESS_LOG_BATCH_MAX_RECORDS` records per message. */
  readonly accessLogBatches: BatchEventConsumer<typeof TOPICS.accessLogBatches>;
  private readonly groupPrefix: string;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    consumers: BatchConsumers,
    config: ConfigService<UsageIngestConfig, true>,
    private readonly usage: UsageService,
  ) {
    this.groupPrefix = config.get('KAFKA_GROUP_PREFIX', { infer: true });
    const fetching = accessLogFetching(config);
    this.accessLog = consumers.create({
      name: 'access-log',
      ...fetching,
      handler: {
        topic: TOPICS.accessLog,
        handle: async (events, tx) => {
          const result = await this.usage.ingest(tx, events.map((e) => e.event.data));
          return result.rejected.map(({ index, reason }) => ({ offset: events[index].offset, reason }));
        },
      },
    });
    this.accessLogBatches = consumers.create({
      name: 'access-log-batches',
      ...fetching,
      handler: {
        topic: TOPICS.accessLogBatches,
        handle: async (events, tx) => {
          const { records, carriers } = flattenAccessLogBatches(events);
          const result = await this.usage.ingest(tx, records);
          return rejectedMessages(events, carriers, result.rejected);
        },
      },
    });
  }

  // The messaging module is global, so its start-up (topics, producer for dead letters) has run before this.
  async onApplicationBootstrap(): Promise<void> {
    await adoptLegacyAccessLogOffsets({ kafka: this.kafka, legacyGroup: `${this.groupPrefix}.${SERVICE}`, group: this.accessLog.groupId });
    await Promise.all([this.accessLog.start(), this.accessLogBatches.start()]);
    this.logger.log(`consuming ${TOPICS.accessLogBatches} and ${TOPICS.accessLog} in batches`);
  }

  // Runs before the messaging module's shutdown disconnects the producer that dead letters need.
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.accessLog.stop(), this.accessLogBatches.stop()]);
  }
}

/** The fetch tuning both access-log consumers share: bigger partition batches mean fewer, larger transactions. */
function accessLogFetching(config: ConfigService<UsageIngestConfig, true>): Pick<BatchConsumerSpec<Topic>, 'fetch' | 'partitionsConsumedConcurrently'> {
  return {
    fetch: {
      minBytes: config.get('ACCESS_LOG_MIN_BYTES', { infer: true }),
      maxBytes: config.get('ACCESS_LOG_MAX_BYTES', { infer: true }),
      maxBytesPerPartition: config.get('ACCESS_LOG_MAX_BYTES_PER_PARTITION', { infer: true }),
      maxWaitTimeInMs: config.get('ACCESS_LOG_MAX_WAIT_MS', { infer: true }),
    },
    partitionsConsumedConcurrently: config.get('ACCESS_LOG_PARTITIONS_CONCURRENTLY', { infer: true }),
  };
}

/** Where a flattened record came from: the message (its index in the batch) and its position in that message's records. */
interface Carrier {
  message: number;
  position: number;
}

/** Every record of a batch of v2 messages, in order, as the v1 records `ingest` counts, and where each came from. */
function flattenAccessLogBatches(events: ReadonlyArray<BatchEvent<typeof TOPICS.accessLogBatches>>): { records: AccessLogRecord[]; carriers: Carrier[] } {
  const records: AccessLogRecord[] = [];
  const carriers: Carrier[] = [];
  events.forEach((event, message) => {
    accessLogRecordsOf(event.event.data).forEach((record, position) => {
      records.push(record);
      carriers.push({ message, position });
    });
  });
  return { records, carriers };
}

/**
 * The messages to dead-letter for the records `ingest` rejected: each message once, however many of
 * its records were rejected, with every one named by its position in the message's `records` (from 0)
 * and its reason. The letter carries the whole message, but its other records are counted: only the
 * named ones are not.
 */
function rejectedMessages(
  events: ReadonlyArray<BatchEvent<typeof TOPICS.accessLogBatches>>,
  carriers: readonly Carrier[],
  rejected: ReadonlyArray<{ index: number; reason: string }>,
): RejectedBatchEvent[] {
  const reasons = new Map<number, string[]>();
  for (const { index, reason } of rejected) {
    const { message, position } = carriers[index];
    const named = `record ${position}: ${reason}`;
    const existing = reasons.get(message);
    if (existing) existing.push(named);
    else reasons.set(message, [named]);
  }
  return [...reasons].map(([message, named]) => ({ offset: events[message].offset, reason: named.join('; ') }));
}
