import {
  ACCESS_LOG_BATCH_MAX_RECORDS,
  accessLogCallBytesAtMost,
  AccessLogColumnsBuilder,
  accessLogKey,
  accessLogPartition,
  TOPIC_SPECS,
  TOPICS,
} from '@attest/contracts';
import { BatchingPublisher, RecordProducer } from '@attest/messaging';
import { AccessLogEntry } from './access-log-entry';

/** How long a record waits for others bound to the same partition before its message goes. */
export const ACCESS_LOG_LINGER_MS = 50;
/**
 * A message is sent once its records might reach this many bytes of JSON, whatever their number: the
 * broker refuses a partition's batch above 1 MB (`max.message.bytes`), and one request may put all its
 * messages in one partition (a single busy key), so three of them must fit.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MESSAGES_PER_REQUEST = 3;
/** Messages kept while the broker is unreachable (500 of up to 1,000 records); past it the oldest are dropped and counted. */
const MAX_BUFFERED_MESSAGES = 500;

export interface AccessLogBatcherOptions {
  producer: RecordProducer;
  gatewayId: string;
  /** Records per message; the contract's maximum unless a test wants smaller messages. */
  maxRecords?: number;
  lingerMs?: number;
}

/**
 * Turns entries into `gateway.access-log.v3` messages: records are grouped by the partition their
 * key belongs to (`accessLogPartition`), and a group goes as one message to that partition when it
 * is full (by records or by size) or has waited `lingerMs`. One message carries hundreds of requests,
 * so the Kafka client and the broker do their per-message work once per hundreds of requests instead
 * of once per request; and the groups that linger together go in one produce request. Each message
 * is built in columns as its records come (`AccessLogColumnsBuilder`), every id said once.
 */
export class AccessLogBatcher {
  private readonly publisher: BatchingPublisher<typeof TOPICS.accessLogColumns>;
  /** Per partition, the message being built, if any. */
  private readonly groups: Array<AccessLogColumnsBuilder | null>;
  private readonly maxRecords: number;
  private readonly lingerMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AccessLogBatcherOptions) {
    this.maxRecords = Math.min(options.maxRecords ?? ACCESS_LOG_BATCH_MAX_RECORDS, ACCESS_LOG_BATCH_MAX_RECORDS);
    this.lingerMs = options.lingerMs ?? ACCESS_LOG_LINGER_MS;
    this.groups = new Array<AccessLogColumnsBuilder | null>(TOPIC_SPECS[TOPICS.accessLogColumns].partitions).fill(null);
    this.publisher = new BatchingPublisher({
      producer: options.producer,
      topic: TOPICS.accessLogColumns,
      source: 'gateway',
      maxBatch: MESSAGES_PER_REQUEST,
      // The records have lingered already; the messages go as soon as the current turn of the event loop ends.
      lingerMs: 0,
      maxBuffered: MAX_BUFFERED_MESSAGES,
      trustedPayloads: true,
    });
  }

  /** Records the broker acknowledged. */
  get sentCount(): number {
    return this.publisher.sentCount;
  }

  /** Records dropped because the broker stayed unreachable for longer than the buffer lasts. */
  get droppedCount(): number {
    return this.publisher.droppedCount;
  }

  add(entry: AccessLogEntry): void {
    const partition = accessLogPartition(accessLogKey(entry));
    let group = this.groups[partition];
    if (group !== null && group.bytesAtMost + accessLogCallBytesAtMost(entry) > MAX_MESSAGE_BYTES) {
      this.emit(partition);
      group = null;
    }
    if (group === null) group = this.groups[partition] = new AccessLogColumnsBuilder(this.options.gatewayId);
    group.add(entry);
    if (group.length >= this.maxRecords) this.emit(partition);
    else if (this.timer === null) this.timer = setTimeout(this.emitAll, this.lingerMs);
  }

  /** Sends every record added so far; resolves once produced (or given up on). */
  flush(): Promise<void> {
    this.emitAll();
    return this.publisher.flush();
  }

  close(): Promise<void> {
    this.emitAll();
    return this.publisher.close();
  }

  private readonly emitAll = (): void => {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    for (let partition = 0; partition < this.groups.length; partition++) this.emit(partition);
  };

  private emit(partition: number): void {
    const group = this.groups[partition];
    if (group === null) return;
    this.groups[partition] = null;
    const gatewayId = this.options.gatewayId;
    this.publisher.publish(gatewayId, group.build(), { partition, records: group.length });
  }
}
