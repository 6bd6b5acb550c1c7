import { EVENT_CONTRACTS, Topic } from '@attest/contracts';
import { outboxChannel } from '@attest/messaging';
import { SCHEMA, SERVICE } from '../config';

/** NOTIFY channel that wakes the outbox relay once the transaction commits. */
export const OUTBOX_CHANNEL = outboxChannel(SCHEMA);

/** SQL rendering a timestamptz the way envelopes carry times: ISO 8601, UTC, milliseconds. */
export function isoUtc(expression: string): string {
  return `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * SQL building a topic's envelope inside the database, so one statement can put any number of events
 * in the outbox; it matches what OutboxWriter builds (the specs validate what gets published). The
 * inlined values are the contract's constants, never input.
 */
export function envelopeSql(options: { topic: Topic; eventId: string; subject: string; data: string }): string {
  const contract = EVENT_CONTRACTS[options.topic];
  return `jsonb_build_object(
    'id', ${options.eventId}, 'type', '${contract.type}', 'version', ${contract.version},
    'occurredAt', ${isoUtc('now()')}, 'source', '${SERVICE}', 'subject', ${options.subject}, 'data', ${options.data})`;
}
