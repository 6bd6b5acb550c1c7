import { ValidateFunction } from 'ajv';
import { z } from 'zod';
import { Envelope, envelopeSchema, EVENT_CONTRACTS, EventMap, Topic } from '@attest/contracts';
import { compileValidator } from './compiled-validator';

export type ParsedEvent<T extends Topic> =
  | { ok: true; event: Envelope<EventMap[T]> }
  | { ok: false; reason: string };

interface TopicValidator {
  /** The envelope with the topic's payload schema in place of `data`: a message checked in one pass. */
  zod: z.ZodType;
  /** The same, compiled by Ajv, where that gives zod's answer (see `compileValidator`). */
  compiled: ValidateFunction | null;
}

const validators = new Map<Topic, TopicValidator>();

function validatorOf(topic: Topic): TopicValidator {
  let validator = validators.get(topic);
  if (validator === undefined) {
    const whole = envelopeSchema.extend({ data: EVENT_CONTRACTS[topic].schema });
    validator = { zod: whole, compiled: compileValidator(whole) };
    validators.set(topic, validator);
  }
  return validator;
}

/** Validates a raw message against the envelope and the topic's payload schema. */
export function parseEvent<T extends Topic>(topic: T, value: Buffer | null): ParsedEvent<T> {
  if (value === null) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'message value is not JSON' };
  }
  const contract = EVENT_CONTRACTS[topic];
  const validator = validatorOf(topic);
  let event: Envelope<EventMap[T]> | null = null;
  if (validator.compiled !== null) {
    if (validator.compiled(json)) event = json as Envelope<EventMap[T]>;
  } else {
    const whole = validator.zod.safeParse(json);
    if (whole.success) event = whole.data as Envelope<EventMap[T]>;
  }
  if (event !== null && event.type === contract.type && event.version === contract.version) return { ok: true, event };
  // Not valid: checked again with zod in two steps, which tell the envelope's faults from the payload's.
  return explainInvalid(topic, json);
}

function explainInvalid<T extends Topic>(topic: T, json: unknown): ParsedEvent<T> {
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
