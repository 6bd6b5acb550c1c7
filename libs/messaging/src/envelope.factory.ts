import { randomUUID } from 'node:crypto';
import { Envelope, EVENT_CONTRACTS, EventInputMap, EventMap, Topic } from '@attest/contracts';

export interface EnvelopeInput<T extends Topic> {
  topic: T;
  subject: string;
  data: EventInputMap[T];
  source: string;
  traceparent?: string;
  occurredAt?: Date;
}

/** Wraps a payload in the standard envelope, validating it so a producer never emits a bad shape. */
export function buildEnvelope<T extends Topic>(input: EnvelopeInput<T>): Envelope<EventMap[T]> {
  const contract = EVENT_CONTRACTS[input.topic];
  const data = contract.schema.parse(input.data) as EventMap[T];
  return {
    id: randomUUID(),
    type: contract.type,
    version: contract.version,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    source: input.source,
    subject: input.subject,
    data,
    ...(input.traceparent ? { traceparent: input.traceparent } : {}),
  };
}
