import { Producer } from 'kafkajs';
import { TOPICS } from '@attest/contracts';
import { BatchingPublisher } from './batching.publisher';

const record = {
  requestId: 'r-1',
  at: new Date(0).toISOString(),
  method: 'GET',
  path: '/x',
  status: 401,
  outcome: 'unauthenticated' as const,
  latencyMs: 1,
  apiId: null,
  route: null,
  keyId: null,
  principalId: null,
  grantId: null,
  gatewayId: 'test',
};

describe('BatchingPublisher', () => {
  afterEach(() => jest.useRealTimers());

  it('stops retrying once closed, keeping what it could not send', async () => {
    jest.useFakeTimers();
    let attempts = 0;
    const down = {
      send: async () => {
        attempts++;
        throw new Error('broker unavailable');
      },
    } as unknown as Producer;
    const publisher = new BatchingPublisher({ producer: down, topic: TOPICS.accessLog, source: 'test', lingerMs: 5 });
    publisher.publish('k', record);
    await publisher.close();
    const afterClose = attempts;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(attempts).toBe(afterClose);
    expect(publisher.bufferedCount).toBe(1);
  });

  it('retries a failed send on a timer while open', async () => {
    jest.useFakeTimers();
    let attempts = 0;
    const down = {
      send: async () => {
        attempts++;
        throw new Error('broker unavailable');
      },
    } as unknown as Producer;
    const publisher = new BatchingPublisher({ producer: down, topic: TOPICS.accessLog, source: 'test', lingerMs: 5 });
    publisher.publish('k', record);
    await jest.advanceTimersByTimeAsync(2_100);
    expect(attempts).toBeGreaterThanOrEqual(2);
    await publisher.close();
  });

  it('wraps trusted payloads in a valid envelope without re-validating them', async () => {
    const sent: string[] = [];
    const producer = { send: async (request: { messages: Array<{ value: string }> }) => void sent.push(...request.messages.map((m) => m.value)) } as unknown as Producer;
    const publisher = new BatchingPublisher({ producer, topic: TOPICS.accessLog, source: 'gateway', trustedPayloads: true });
    publisher.publish('k', record);
    await publisher.flush();
    const envelope = JSON.parse(sent[0]);
    expect(envelope).toMatchObject({ type: 'gateway.access', version: 1, source: 'gateway', subject: 'k', data: record });
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
