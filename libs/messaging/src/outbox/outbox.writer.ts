import { EntityManager } from 'typeorm';
import { Envelope, EventInputMap, EventMap, Topic } from '@attest/contracts';
import { buildEnvelope } from '../envelope.factory';

export interface OutboxMessage<T extends Topic> {
  topic: T;
  /** The Kafka key: the entity id whose events must stay ordered. */
  key: string;
  data: EventInputMap[T];
  traceparent?: string;
  /** When the fact happened at its source (e.g. the IdP's event time); defaults to now. */
  occurredAt?: Date;
}

export function outboxChannel(schema: string): string {
  return `attest_outbox_${schema.replace(/[^a-z0-9_]/gi, '_')}`;
}

/**
 * Writes events into the service's outbox inside the caller's transaction: the event exists if
 * and only if the change it announces was committed. The relay publishes it afterwards.
 */
export class OutboxWriter {
  constructor(
    private readonly schema: string,
    private readonly source: string,
  ) {}

  async add<T extends Topic>(tx: EntityManager, message: OutboxMessage<T>): Promise<Envelope<EventMap[T]>> {
    const envelope = buildEnvelope({
      topic: message.topic,
      subject: message.key,
      data: message.data,
      source: this.source,
      traceparent: message.traceparent,
      occurredAt: message.occurredAt,
    });
    await this.insert(tx, { eventId: envelope.id, topic: message.topic, key: message.key, envelope });
    return envelope;
  }

  /** A null value on a compacted topic deletes the key's state. */
  async tombstone(tx: EntityManager, topic: Topic, key: string): Promise<void> {
    await this.insert(tx, { eventId: crypto.randomUUID(), topic, key, envelope: null });
  }

  private async insert(
    tx: EntityManager,
    row: { eventId: string; topic: Topic; key: string; envelope: Envelope | null },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO "${this.schema}".outbox (event_id, topic, message_key, envelope) VALUES ($1, $2, $3, $4)`,
      [row.eventId, row.topic, row.key, row.envelope === null ? null : JSON.stringify(row.envelope)],
    );
    // NOTIFY is delivered only when the transaction commits, which is exactly when the relay may publish.
    await tx.query(`SELECT pg_notify($1, '')`, [outboxChannel(this.schema)]);
  }
}
