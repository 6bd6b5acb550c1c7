import type { Producer } from '@platformatic/kafka';

/** One produce request of already serialised records to one topic. */
export interface RecordBatchRequest {
  topic: string;
  acks: number;
  /** A message with a `partition` goes there; one without goes where its key hashes. */
  messages: Array<{ key: string; value: string; partition?: number }>;
}

/** What `BatchingPublisher` needs of a producer: kafkajs's `Producer` has this shape, and so does `FastRecordProducer`. */
export interface RecordProducer {
  send(request: RecordBatchRequest): Promise<unknown>;
}

/** Kafka's error codes for a message, or a partition's batch of them, above the broker's `message.max.bytes`. */
const TOO_LARGE_CODES = new Set([10, 18]);
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Whether a send failed because the broker refuses the size of what was sent, which no retry of the
 * same request can change. kafkajs says so in the error's `type`; `@platformatic/kafka` in the error
 * code of a partition's response, inside an `AggregateError`.
 */
export function refusedAsTooLarge(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, errors, response } = error as { type?: unknown; errors?: unknown; response?: unknown };
  if (typeof type === 'string' && TOO_LARGE_TYPES.has(type)) return true;
  if (Array.isArray(errors) && errors.some(refusedAsTooLarge)) return true;
  const responses = (response as { responses?: Array<{ partitionResponses?: Array<{ errorCode?: number }> }> } | undefined)?.responses;
  return Array.isArray(responses) && responses.some((topic) => topic.partitionResponses?.some((partition) => TOO_LARGE_CODES.has(partition.errorCode ?? 0)));
}

/**
 * The producer for records sent by the hundred thousand (the gateway's access log), on
 * `@platformatic/kafka`: about 6 µs of CPU per 600-byte record where kafkajs spends about 20, which
 * is what the access log costs per proxied request (see `npm run bench`). Keys are partitioned as
 * kafkajs's default partitioner and Java's client do (murmur2, made positive, modulo the partition
 * count), so a key lands on the same partition whichever of them produced it. It connects on the
 * first send and reconnects on its own; a failed send rejects, and the caller keeps the records.
 */
export class FastRecordProducer implements RecordProducer {
  private readonly producer: Promise<Producer<string, string, string, string>>;

  constructor(options: { clientId: string; brokers: string[] }) {
    // Loaded when first used: the library is an ES module, which Node (20.19 and later) loads from
    // CommonJS but Jest's module system does not, and the services' other code never needs it.
    this.producer = import('@platformatic/kafka').then(
      ({ compatibilityPartitioner, Producer, stringSerializers }) =>
        new Producer({
          clientId: options.clientId,
          bootstrapBrokers: options.brokers,
          serializers: stringSerializers,
          partitioner: memoized(compatibilityPartitioner),
          idempotent: false,
          autocreateTopics: false,
          retries: 3,
          retryDelay: 250,
        }),
    );
    // Marked handled here: a failed load surfaces as every send's rejection, not as a crash.
    this.producer.catch(() => undefined);
  }

  async send(request: RecordBatchRequest): Promise<unknown> {
    const messages = request.messages.map(({ key, value, partition }) => ({ topic: request.topic, key, value, partition }));
    return (await this.producer).send({ messages, acks: request.acks });
  }

  async close(): Promise<void> {
    await (await this.producer).close();
  }
}

/** Keys remembered by the partitioner; past this the memory starts over (keys are mostly API key ids, a few thousand). */
const MEMO_SIZE = 10_000;

/**
 * The partitioner with its answer kept per key: its murmur2 hashes with BigInt, about a microsecond a
 * record, and the access log's keys repeat (one per API key). The answer does not depend on the
 * partition count (the producer takes it modulo that), so it never goes stale.
 */
function memoized<M extends { key?: unknown }>(partitioner: (message: M, key: Buffer | undefined) => number): (message: M, key: Buffer | undefined) => number {
  const memo = new Map<string, number>();
  return (message, key) => {
    if (typeof message.key !== 'string') return partitioner(message, key);
    let partition = memo.get(message.key);
    if (partition === undefined) {
      partition = partitioner(message, key);
      if (memo.size >= MEMO_SIZE) memo.clear();
      memo.set(message.key, partition);
    }
    return partition;
  };
}
