import { createKafkaClient, parseBrokers } from './kafka.client';
import { fixKafkajsRequestQueue, RequestQueueInternals } from './kafkajs-request-queue.fix';

/** kafkajs's internal queue, as far as these tests drive it. */
interface RequestQueue extends RequestQueueInternals {
  push(request: { entry: { correlationId: number; resolve: () => void; reject: () => void }; expectResponse: boolean; sendRequest: () => void; requestTimeout?: number }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  destroy(): void;
}
type RequestQueueClass = { new (options: Record<string, unknown>): RequestQueue; prototype: RequestQueue };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;
const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const entry = (correlationId: number) => ({ correlationId, resolve: () => undefined, reject: () => undefined });

jest.setTimeout(30_000);
describe('kafkajs request-queue fix', () => {
  it('is in place once the client factory is loaded, and applies once', () => {
    // Importing kafka.client applied it; kafkajs is the version it was written for.
    expect(fixKafkajsRequestQueue()).toBe('already-applied');
  });

  it('lets a connection to a real broker sit idle without checking its queue', async () => {
    const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');
    const admin = createKafkaClient({ clientId: 'request-queue-probe', brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092') }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      // Every response checked the queue once; from here on the connection is idle.
      checks.mockClear();
      await sleep(500);
      // Unfixed, the queue re-checks itself on a 1 ms timer: hundreds of calls in half a second.
      expect(checks).not.toHaveBeenCalled();
      // And the connection still works after idling.
      await expect(admin.listTopics()).resolves.toEqual(expect.any(Array));
    } finally {
      await admin.disconnect();
      checks.mockRestore();
    }
  });

  it('still sends a request that waited out client-side throttling', async () => {
    const queue = new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'probe', broker: 'probe:9092', logger: quietLogger });
    try {
      queue.throttledUntil = Date.now() + 40;
      const sent: number[] = [];
      queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => sent.push(Date.now()) });
      expect(sent).toEqual([]);
      expect(queue.pending).toHaveLength(1);
      await sleep(300);
      expect(sent).toHaveLength(1);
      expect(queue.pending).toHaveLength(0);
      // With nothing left to wait for, no check stays armed.
      expect(queue.throttleCheckTimeoutId).toBeNull();
    } finally {
      queue.destroy();
    }
  });

  it('still sends a request that waited for in-flight capacity once a response frees it', () => {
    const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'probe', broker: 'probe:9092', logger: quietLogger });
    try {
      const sent: number[] = [];
      queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => sent.push(1) });
      queue.push({ entry: entry(2), expectResponse: true, sendRequest: () => sent.push(2) });
      expect(sent).toEqual([1]);
      queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      expect(sent).toEqual([1, 2]);
    } finally {
      queue.destroy();
    }
  });
});
