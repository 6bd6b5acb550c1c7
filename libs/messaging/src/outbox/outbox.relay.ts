import { Logger } from '@nestjs/common';
import { Partitioners, Producer, RecordMetadata } from 'kafkajs';
import { Topic, TOPIC_SPECS } from '@attest/contracts';
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { outboxChannel } from './outbox.writer';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  databaseUrl: string;
  schema: string;
  producer: Producer;
  /** Fallback poll, for a notification lost while the listening connection was down. */
  pollIntervalMs?: number;
  batchSize?: number;
}

interface OutboxRow {
  seq: string;
  event_id: string;
  topic: string;
  message_key: string;
  envelope: unknown;
}

/**
 * Publishes committed outbox rows to Kafka in commit order, then deletes them. It is woken by
 * NOTIFY on commit and polls as a fallback. A crash between publish and delete republishes the
 * rows (at-least-once); consumers drop the duplicates by event id. One relay per schema holds a
 * session advisory lock, so replicas never interleave and per-key order is kept.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener: Client | null = null;
  private leader = false;
  private draining: Promise<void> | null = null;
  private rerun = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private published = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

  get publishedCount(): number {
    return this.published;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connectListener();
    this.schedule();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
    const listener = this.listener;
    this.listener = null;
    this.leader = false;
    await listener?.end().catch(() => undefined);
  }

  /** Drains now; concurrent calls coalesce into one more pass. */
  kick(): Promise<void> {
    if (this.draining) {
      this.rerun = true;
      return this.draining;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    do {
      this.rerun = false;
      if (this.stopped) return;
      try {
        if (!(await this.ensureLeadership())) return;
        while (!this.stopped && (await this.publishBatch()) > 0);
      } catch (error) {
        this.logger.error(`outbox relay for ${this.options.schema} failed, will retry: ${(error as Error).message}`);
        return;
      }
    } while (this.rerun);
  }

  private async publishBatch(): Promise<number> {
    const { dataSource, schema, producer } = this.options;
    return dataSource.transaction(async (tx) => {
      const rows: OutboxRow[] = await tx.query(
        `SELECT seq, event_id, topic, message_key, envelope FROM "${schema}".outbox ORDER BY seq LIMIT $1 FOR UPDATE`,
        [this.options.batchSize ?? 500],
      );
      if (rows.length === 0) return 0;
      const metadata = await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
      await tx.query(`DELETE FROM "${schema}".outbox WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
      await this.recordOffsets(tx, rows, metadata);
      this.published += rows.length;
      return rows.length;
    });
  }

  /**
   * Keeps where each event landed (partition, offset), so a service can later tell when a consumer
   * that reports its offsets (a gateway heartbeat) has applied it. Rows older than a day are pruned.
   */
  private async recordOffsets(tx: EntityManager, rows: OutboxRow[], metadata: RecordMetadata[]): Promise<void> {
    const located = locateOffsets(rows, metadata);
    if (located.length === 0) return;
    const { schema } = this.options;
    await tx.query(
      `INSERT INTO "${schema}".outbox_published (event_id, topic, message_key, kafka_partition, kafka_offset)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bigint[])
       ON CONFLICT (event_id) DO UPDATE SET kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset, published_at = now()`,
      [
        located.map((l) => l.eventId),
        located.map((l) => l.topic),
        located.map((l) => l.key),
        located.map((l) => l.partition),
        located.map((l) => l.offset),
      ],
    );
    if (Math.random() < 0.01) {
      await tx.query(`DELETE FROM "${schema}".outbox_published WHERE published_at < now() - interval '1 day'`);
    }
  }

  private async connectListener(): Promise<void> {
    const listener = new Client({ connectionString: this.options.databaseUrl, application_name: 'outbox-relay' });
    listener.on('notification', () => void this.kick());
    listener.on('error', (error) => {
      this.logger.warn(`outbox listener connection lost: ${error.message}`);
      this.leader = false;
      if (this.listener === listener) this.listener = null;
    });
    await listener.connect();
    await listener.query(`LISTEN ${outboxChannel(this.options.schema)}`);
    this.listener = listener;
  }

  private async ensureLeadership(): Promise<boolean> {
    if (!this.listener) await this.connectListener();
    if (this.leader) return true;
    const result = await this.listener!.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `attest:outbox:${this.options.schema}`,
    ]);
    this.leader = result.rows[0].locked === true;
    return this.leader;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.kick().finally(() => this.schedule());
    }, this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
  }
}

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition kafkajs' default partitioner would pick for the row's key, chosen here explicitly so
 * the relay knows where every row lands. Partition counts are the ones `ensureTopics` created.
 */
export function partitionOf(topic: string, key: string): number {
  const count = TOPIC_SPECS[topic as Topic]?.partitions ?? 1;
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic, partitionMetadata, message: { key, value: null } });
}

/**
 * kafkajs reports one base offset per topic-partition written; rows of one partition got consecutive
 * offsets in the order sent, so each row's offset follows from its place in that order.
 */
export function locateOffsets(
  rows: Array<{ event_id: string; topic: string; message_key: string }>,
  metadata: RecordMetadata[],
): Array<{ eventId: string; topic: string; key: string; partition: number; offset: string }> {
  const next = new Map<string, bigint>();
  for (const entry of metadata) next.set(`${entry.topicName}:${entry.partition}`, BigInt(entry.baseOffset ?? '-1'));
  const located = [];
  for (const row of rows) {
    const partition = partitionOf(row.topic, row.message_key);
    const id = `${row.topic}:${partition}`;
    const offset = next.get(id);
    if (offset === undefined || offset < 0n) continue;
    next.set(id, offset + 1n);
    located.push({ eventId: row.event_id, topic: row.topic, key: row.message_key, partition, offset: offset.toString() });
  }
  return located;
}

function groupByTopic(rows: OutboxRow[]) {
  const byTopic = new Map<string, Array<{ key: string; partition: number; value: string | null }>>();
  for (const row of rows) {
    const messages = byTopic.get(row.topic) ?? [];
    messages.push({
      key: row.message_key,
      partition: partitionOf(row.topic, row.message_key),
      value: row.envelope === null ? null : JSON.stringify(row.envelope),
    });
    byTopic.set(row.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
