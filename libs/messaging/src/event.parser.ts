import { Envelope, envelopeSchema, EVENT_CONTRACTS, EventMap, Topic } from '@attest/contracts';

export type ParsedEvent<T extends Topic> =
  | { ok: true; event: Envelope<EventMap[T]> }
  | { ok: false; reason: string };

/** Validates a raw message against the envelope and the topic's payload schema. */
export function parseEvent<T extends Topic>(topic: T, value: Buffer | null): ParsedEvent<T> {
  if (value === null) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'message value is not JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describeIssues(envelope.error.issues)}` };
  const contract = EVENT_CONTRACTS[topic];
  if (envelope.data.type !== contract.type || envelope.data.version !== contract.version) {
    return {
      ok: false,
      reason: `unexpected event ${envelope.data.type} v${envelope.data.version} on ${topic} (want ${contract.type} v${contract.version})`,
    };
  }
  const data = contract.schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `invalid ${contract.type} payload: ${describeIssues(data.error.issues)}` };
  return { ok: true, event: { ...envelope.data, data: data.data as EventMap[T] } };
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
