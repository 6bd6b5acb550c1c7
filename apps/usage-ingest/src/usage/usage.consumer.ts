import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kafka } from 'kafkajs';
import { AccessLogRecord, accessLogRecordsOf, accessLogRecordsOfColumns, AccessLogRecordsRead, Topic, TOPICS } from '@attest/contracts';
import { BatchConsumers, BatchConsumerSpec, BatchEvent, BatchEventConsumer, KAFKA, RejectedBatchEvent } from '@attest/messaging';
import { SERVICE, UsageIngestConfig } from '../config';
import { UsageService } from './usage.service';
import { adoptLegacyAccessLogOffsets } from './access-log-group.migration';

/**
 * Counts the gateway's calls a batch at a time. The access log is by far the busiest traffic, so each
 * of its topics has a batch consumer of its own (its own group) whose stored positions keep a
 * redelivered batch from counting twice; access.grants.v1 stays on the service's event consumer host.
 *
 * Gateways produce `gateway.access-log.v3` (many requests per message, in columns); v2 (the same
 * records as objects) and v1 (one request per message) are still consumed while gateways that
 * produce them remain, during a rolling upgrade. All are counted the same way, by the same
 * `UsageService.ingest`.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageConsumer.name);
  /** `gateway.access-log.v1`: one record per message. */
  readonly accessLog: BatchEventConsumer<typeof TOPICS.accessLog>;
  /** `gateway.access-log.v2`: up to `ACCESS_LOG_BATCH_MAX_RECORDS` records per message. */
  readonly accessLogBatches: BatchEventConsumer<typeof TOPICS.accessLogBatches>;
  /** `gateway.access-log.v3`: as many records per message as v2, in columns. */
  readonly accessLogColumns: BatchEventConsumer<typeof TOPICS.accessLogColumns>;
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
        handle: (events, tx) => this.ingestMessages(events, tx, (batch) => ({ records: accessLogRecordsOf(batch).map((record, position) => ({ position, record })), rejected: [] })),
      },
    });
    this.accessLogColumns = consumers.create({
      name: 'access-log-columns',
      ...fetching,
      handler: { topic: TOPICS.accessLogColumns, handle: (events, tx) => this.ingestMessages(events, tx, accessLogRecordsOfColumns) },
    });
  }

  /**
   * Counts the records of a batch of many-record messages in one `ingest`, and names the messages to
   * dead-letter: each once, however many of its records could not be read or counted, with every one
   * named by its position in the message (from 0) and its reason. The letter carries the whole
   * message, but its other records are counted: only the named ones are not.
   */
  private async ingestMessages<T extends Topic>(events: ReadonlyArray<BatchEvent<T>>, tx: Parameters<UsageService['ingest']>[0], read: (data: BatchEvent<T>['event']['data']) => AccessLogRecordsRead): Promise<RejectedBatchEvent[]> {
    const records: AccessLogRecord[] = [];
    const carriers: Carrier[] = [];
    const problems: Problem[] = [];
    events.forEach((event, message) => {
      let got: AccessLogRecordsRead;
      try {
        got = read(event.event.data);
      } catch (error) {
        problems.push({ message, position: -1, reason: (error as Error).message });
        return;
      }
      for (const { position, record } of got.records) {
        records.push(record);
        carriers.push({ message, position });
      }
      for (const { position, reason } of got.rejected) problems.push({ message, position, reason });
    });
    const result = await this.usage.ingest(tx, records);
    for (const { index, reason } of result.rejected) problems.push({ ...carriers[index], reason });
    return rejectedMessages(events, problems);
  }

  // The messaging module is global, so its start-up (topics, producer for dead letters) has run before this.
  async onApplicationBootstrap(): Promise<void> {
    await adoptLegacyAccessLogOffsets({ kafka: this.kafka, legacyGroup: `${this.groupPrefix}.${SERVICE}`, group: this.accessLog.groupId });
    await Promise.all([this.accessLog.start(), this.accessLogBatches.start(), this.accessLogColumns.start()]);
    this.logger.log(`consuming ${TOPICS.accessLogBatches}, ${TOPICS.accessLogColumns} and ${TOPICS.accessLog} in batches`);
  }

  // Runs before the messaging module's shutdown disconnects the producer that dead letters need.
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.accessLog.stop(), this.accessLogBatches.stop(), this.accessLogColumns.stop()]);
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

/** A record of a message that is not counted, and why; position -1 when no record of the message could be read. */
interface Problem extends Carrier {
  reason: string;
}

/** Each message with a problem once, in the batch's order, its problems in the order of their records. */
function rejectedMessages(events: ReadonlyArray<BatchEvent<Topic>>, problems: readonly Problem[]): RejectedBatchEvent[] {
  const byMessage = new Map<number, Problem[]>();
  for (const problem of problems) {
    const existing = byMessage.get(problem.message);
    if (existing) existing.push(problem);
    else byMessage.set(problem.message, [problem]);
  }
  return [...byMessage].sort(([a], [b]) => a - b).map(([message, named]) => ({
    offset: events[message].offset,
    reason: named
      .sort((a, b) => a.position - b.position)
      .map(({ position, reason }) => (position === -1 ? reason : `record ${position}: ${reason}`))
      .join('; '),
  }));
}
