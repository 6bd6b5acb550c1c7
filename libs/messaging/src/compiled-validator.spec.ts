import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AccessLogRecord, envelopeSchema, EVENT_CONTRACTS, Topic, TOPICS } from '@attest/contracts';
import { compileValidator } from './compiled-validator';
import { buildEnvelope } from './envelope.factory';
import { parseEvent } from './event.parser';

const whole = (topic: Topic) => envelopeSchema.extend({ data: EVENT_CONTRACTS[topic].schema });

const accessLog = (): AccessLogRecord => ({
  requestId: 'req-1',
  at: new Date().toISOString(),
  method: 'GET',
  path: '/payments/items/1',
  status: 200,
  outcome: 'allowed',
  latencyMs: 1.5,
  apiId: randomUUID(),
  route: 'GET /items/:id',
  keyId: randomUUID(),
  principalId: randomUUID(),
  grantId: randomUUID(),
  gatewayId: 'gw-1',
});

type Json = Record<string, unknown>;
const envelopeOf = (data: AccessLogRecord): Json => JSON.parse(JSON.stringify(buildEnvelope({ topic: TOPICS.accessLog, subject: 'k', source: 'gateway', data })));
const withData = (patch: Json) => (envelope: Json): Json => ({ ...envelope, data: { ...(envelope.data as Json), ...patch } });

/** Each turns a valid access-log envelope into another message, valid or not. */
const variants: Array<[string, (envelope: Json) => Json]> = [
  ['unchanged', (e) => e],
  ['null ids where the schema allows them', withData({ apiId: null, keyId: null, principalId: null, grantId: null, route: null })],
  ['an unknown key in the payload and in the envelope', (e) => ({ ...withData({ extra: 'x' })(e), extraTop: 1 })],
  ['a time with an offset', withData({ at: '2026-11-23T10:00:00.123+02:00' })],
  ['a traceparent', (e) => ({ ...e, traceparent: '00-abc-def-01' })],
  ['a malformed uuid', withData({ keyId: 'not-a-uuid' })],
  ['a uuid of no RFC version', withData({ keyId: '12345678-1234-0234-8234-123456789012' })],
  ['a missing field', (e) => { const data = { ...(e.data as Json) }; delete data.method; return { ...e, data }; }],
  ['a wrong type', withData({ status: '200' })],
  ['a fraction where an integer is due', withData({ status: 200.5 })],
  ['a negative latency', withData({ latencyMs: -1 })],
  ['an unknown outcome', withData({ outcome: 'maybe' })],
  ['an empty request id', withData({ requestId: '' })],
  ['an impossible date', withData({ at: '2026-02-30T10:00:00Z' })],
  ['a date without time', withData({ at: '2026-11-23' })],
  ['a string id in the envelope', (e) => ({ ...e, id: 'x' })],
  ['a version of zero', (e) => ({ ...e, version: 0 })],
  ['a null payload', (e) => ({ ...e, data: null })],
  ['a payload that is an array', (e) => ({ ...e, data: [] })],
  ['an emoji path', withData({ path: '/😀' })],
];

describe('compileValidator', () => {
  const schema = whole(TOPICS.accessLog);
  const compiled = compileValidator(schema)!;

  it('compiles the access-log envelopes, so the busiest topics are never parsed by zod', () => {
    expect(compiled).not.toBeNull();
    expect(compileValidator(whole(TOPICS.accessLogBatches))).not.toBeNull();
    expect(compileValidator(whole(TOPICS.accessLogColumns))).not.toBeNull();
  });

  it.each(variants)('answers as zod does, and leaves what zod returns: %s', (_name, variant) => {
    const message = variant(envelopeOf(accessLog()));
    const expected = schema.safeParse(structuredClone(message));
    const candidate = structuredClone(message);
    expect(compiled(candidate)).toBe(expected.success);
    if (expected.success) expect(candidate).toEqual(expected.data);
  });

  it('declines what it cannot answer as zod does: defaults, objects in unions, formats without a pattern', () => {
    expect(compileValidator(z.object({ a: z.string().default('x') }))).toBeNull();
    expect(compileValidator(z.object({ a: z.object({ b: z.string() }).nullable() }))).toBeNull();
    expect(compileValidator(z.object({ a: z.string().transform((s) => s.length) }))).toBeNull();
    expect(compileValidator(whole(TOPICS.policyState))).toBeNull();
    expect(compileValidator(whole(TOPICS.catalogState))).toBeNull();
  });
});

describe('parseEvent on a compiled topic', () => {
  it('returns the event, and for an invalid one the reason zod gives', () => {
    const envelope = envelopeOf(accessLog());
    expect(parseEvent(TOPICS.accessLog, Buffer.from(JSON.stringify(envelope)))).toEqual({ ok: true, event: envelope });
    const parsed = parseEvent(TOPICS.accessLog, Buffer.from(JSON.stringify(withData({ keyId: 'nope' })(envelope))));
    expect(!parsed.ok && parsed.reason).toMatch(/^invalid gateway.access payload: keyId:/);
  });
});
