import { ACCESS_LOG_BATCH_MAX_RECORDS, AccessLogEntryRecord, accessLogKey, accessLogPartition, TOPIC_SPECS, TOPICS } from '@attest/contracts';
import { BatchingPublisher, IsoClock, RecordProducer } from '@attest/messaging';
import { AccessLogEntry, toAccessLogEntryRecord } from './access-log-entry';

/** How long a record waits for others bound to the same partition before its message goes. */
export const ACCESS_LOG_LINGER_MS = 50;
/**
 * A message is sent once its records might reach this many bytes of JSON, whatever their number: the
 * broker refuses a partition's batch above 1 MB (`max.message.bytes`), and one request may put all its
 * messages in one partition (a single busy key), so three of them must fit.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const MESSAGES_PER_REQUEST = 3;
/** Upper bound of a record's JSON apart from its free-text fields (names, ids, timestamp, numbers). */
const RECORD_FIXED_BYTES = 400;
/** Messages kept while the broker is unreachable (500 full ones: 100,000 records); past it the oldest are dropped and counted. */
const MAX_BUFFERED_MESSAGES = 500;

export interface AccessLogBatcherOptions {
  producer: RecordProducer;
  gatewayId: string;
  /** Records per message; the contract's maximum unless a test wants smaller messages. */
  maxRecords?: number;
  lingerMs?: number;
}

/**
 * Turns entries into `gateway.access-log.v2` messages: records are grouped by the partition their
 * key belongs to (`accessLogPartition`), and a group goes as one message to that partition when it
 * is full (by records or by size) or has waited `lingerMs`. One message carries hundreds of requests,
 * so the Kafka client and the broker do their per-message work once per hundreds of requests instead
 * of once per request; and the groups that linger together go in one produce request.
 */
export class AccessLogBatcher {
  private readonly publisher: BatchingPublisher<typeof TOPICS.accessLogBatches>;
  private readonly groups: AccessLogEntryRecord[][];
  /** Per partition, an upper bound of its group's JSON size. */
  private readonly groupBytes: number[];
  private readonly maxRecords: number;
  private readonly lingerMs: number;
  private readonly clock = new IsoClock();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AccessLogBatcherOptions) {
    this.maxRecords = Math.min(options.maxRecords ?? ACCESS_LOG_BATCH_MAX_RECORDS, ACCESS_LOG_BATCH_MAX_RECORDS);
    this.lingerMs = options.lingerMs ?? ACCESS_LOG_LINGER_MS;
    const partitions = TOPIC_SPECS[TOPICS.accessLogBatches].partitions;
    this.groups = Array.from({ length: partitions }, () => []);
    this.groupBytes = new Array<number>(partitions).fill(0);
    this.publisher = new BatchingPublisher({
      producer: options.producer,
      topic: TOPICS.accessLogBatches,
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
    // A free-text character takes at most 3 bytes of JSON: only control characters take more, and the HTTP parser refuses them in a path.
    const bytes = RECORD_FIXED_BYTES + 3 * (entry.path.length + entry.requestId.length + entry.method.length + (entry.route?.length ?? 0));
    if (this.groupBytes[partition] + bytes > MAX_MESSAGE_BYTES) this.emit(partition);
    const group = this.groups[partition];
    group.push(toAccessLogEntryRecord(entry, this.clock));
    this.groupBytes[partition] += bytes;
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
    const records = this.groups[partition];
    if (records.length === 0) return;
    this.groups[partition] = [];
    this.groupBytes[partition] = 0;
    const gatewayId = this.options.gatewayId;
    this.publisher.publish(gatewayId, { gatewayId, records }, { partition, records: records.length });
  }
}
