import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IdentityEvent, TOPICS } from '@attest/contracts';
import { buildEnvelope, OutboxWriter, outboxChannel } from '@attest/messaging';
import { SCHEMA, SERVICE } from '../config';
import { MembershipChange } from './domain/group';
import { DirectorySource, principalEventKind, principalFacts, PrincipalRecord } from './domain/principal';

export interface PrincipalChange {
  before: PrincipalRecord | null;
  after: PrincipalRecord;
}

/** Above this many events a write goes out as one set-based insert instead of one OutboxWriter call per event. */
const BATCH_THRESHOLD = 8;

/**
 * Turns committed mirror changes into `identity.events.v1` events, written to the outbox in the caller's
 * transaction and keyed by principal id. It publishes only what changed: unchanged facts publish nothing.
 */
@Injectable()
export class IdentityPublisher {
  constructor(private readonly outbox: OutboxWriter) {}

  /** Returns how many events were written. */
  async principalsChanged(tx: EntityManager, changes: readonly PrincipalChange[], source: DirectorySource): Promise<number> {
    const events: IdentityEvent[] = [];
    for (const { before, after } of changes) {
      const facts = principalFacts(after);
      const kind = principalEventKind(before ? principalFacts(before) : null, facts);
      if (kind) events.push({ kind, ...facts, source });
    }
    await this.write(tx, events);
    return events.length;
  }

  async membershipsChanged(tx: EntityManager, changes: readonly MembershipChange[], source: DirectorySource): Promise<number> {
    await this.write(
      tx,
      changes.map((change) => ({ ...change, source })),
    );
    return changes.length;
  }

  private async write(tx: EntityManager, events: readonly IdentityEvent[]): Promise<void> {
    if (events.length <= BATCH_THRESHOLD) {
      for (const data of events) await this.outbox.add(tx, { topic: TOPICS.identityEvents, key: data.principalId, data });
      return;
    }
    await writeOutboxBatch(tx, events);
  }
}

/**
 * A full sync page announces up to a few hundred changes; one OutboxWriter call per event costs two round
 * trips each, which dominated a first sync. This writes the same rows (validated envelopes, same columns,
 * one NOTIFY on commit) in one statement. It belongs in OutboxWriter as `addMany`, requested of libs/messaging.
 */
async function writeOutboxBatch(tx: EntityManager, events: readonly IdentityEvent[]): Promise<void> {
  const envelopes = events.map((data) => buildEnvelope({ topic: TOPICS.identityEvents, subject: data.principalId, data, source: SERVICE }));
  await tx.query(
    `INSERT INTO "${SCHEMA}".outbox (event_id, topic, message_key, envelope)
     SELECT u.event_id, $1, u.message_key, u.envelope FROM unnest($2::uuid[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS u(event_id, message_key, envelope, ord)
      ORDER BY u.ord`,
    [TOPICS.identityEvents, envelopes.map((e) => e.id), envelopes.map((e) => e.subject), envelopes.map((e) => JSON.stringify(e))],
  );
  await tx.query(`SELECT pg_notify($1, '')`, [outboxChannel(SCHEMA)]);
}
