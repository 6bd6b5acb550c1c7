import { randomUUID } from 'node:crypto';
import { TOPICS } from '@attest/contracts';
import { buildEnvelope } from './envelope.factory';
import { parseEvent } from './event.parser';

const decision = () => ({
  decisionId: randomUUID(),
  grantId: randomUUID(),
  decision: 'revoke' as const,
  reviewer: 'alice@example.com',
  reason: 'unused',
  decidedAt: new Date().toISOString(),
});

describe('parseEvent', () => {
  it('accepts an envelope built for the topic', () => {
    const envelope = buildEnvelope({ topic: TOPICS.reviewDecisions, subject: 'g', data: decision(), source: 'test' });
    const parsed = parseEvent(TOPICS.reviewDecisions, Buffer.from(JSON.stringify(envelope)));
    expect(parsed).toEqual({ ok: true, event: envelope });
  });

  it('rejects a message that is not JSON', () => {
    expect(parseEvent(TOPICS.reviewDecisions, Buffer.from('{nope'))).toEqual({ ok: false, reason: 'message value is not JSON' });
  });

  it('rejects an envelope of another topic', () => {
    const envelope = buildEnvelope({ topic: TOPICS.reviewDecisions, subject: 'g', data: decision(), source: 'test' });
    const parsed = parseEvent(TOPICS.policyState, Buffer.from(JSON.stringify(envelope)));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/unexpected event review.decision v1 on policy.state.v1/);
  });

  it('names the bad payload field', () => {
    const envelope = buildEnvelope({ topic: TOPICS.reviewDecisions, subject: 'g', data: decision(), source: 'test' });
    const tampered = { ...envelope, data: { ...envelope.data, decision: 'maybe' } };
    const parsed = parseEvent(TOPICS.reviewDecisions, Buffer.from(JSON.stringify(tampered)));
    expect(!parsed.ok && parsed.reason).toMatch(/^invalid review.decision payload: decision:/);
  });

  it('refuses to build an envelope around a payload of the wrong shape', () => {
    expect(() =>
      buildEnvelope({ topic: TOPICS.reviewDecisions, subject: 'g', data: { ...decision(), grantId: 'x' }, source: 'test' }),
    ).toThrow();
  });
});
