import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  const t0 = 1_000_000;

  it('admits a burst at once, then refills at the sustained rate', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 3 }, t0);
    for (let i = 0; i < 3; i++) {
      bucket.refill(t0);
      expect(bucket.canTake()).toBe(true);
      bucket.take();
    }
    expect(bucket.canTake()).toBe(false);
    expect(bucket.msUntilAvailable()).toBe(500);
    bucket.refill(t0 + 499);
    expect(bucket.canTake()).toBe(false);
    bucket.refill(t0 + 500);
    expect(bucket.canTake()).toBe(true);
  });

  it('never holds more than its burst, however long it was idle', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 5 }, t0);
    bucket.refill(t0 + 3_600_000);
    expect(bucket.remaining).toBe(5);
    expect(bucket.msUntilNextToken()).toBeNull();
  });

  it('says how long until the next whole token: the window within which no more than the tokens held can be used', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 3 }, t0);
    bucket.take();
    bucket.take();
    expect(bucket.msUntilNextToken()).toBe(500);
    bucket.refill(t0 + 750);
    // 2.5 tokens: the third whole one comes in 250 ms.
    expect(bucket.remaining).toBe(2);
    expect(bucket.msUntilNextToken()).toBe(250);
    bucket.beginSync();
    bucket.completeSync(-2, t0 + 750);
    expect(bucket.msUntilNextToken()).toBe(bucket.msUntilAvailable());
    expect(bucket.msUntilNextToken()).toBe(1500);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 1 }, t0);
    bucket.take();
    bucket.refill(t0 - 10_000);
    expect(bucket.canTake()).toBe(false);
  });

  it('keeps its level when the limit changes, up to the new burst', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 10 }, t0);
    bucket.reconfigure({ requestsPerSecond: 1, burst: 4 });
    expect(bucket.remaining).toBe(4);
    bucket.reconfigure({ requestsPerSecond: 1, burst: 8 });
    expect(bucket.remaining).toBe(4);
  });

  it('replaces its level with the shared one, less what it took while the sync was under way', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1, burst: 10 }, t0);
    bucket.take();
    bucket.take();
    expect(bucket.beginSync()).toBe(2);
    bucket.take();
    // Another replica took 5 as well: the shared bucket reports 3 left as of the sync's start.
    bucket.completeSync(3, t0);
    expect(bucket.remaining).toBe(2);
    expect(bucket.beginSync()).toBe(1);
  });

  it('may be driven into debt by the shared level, and then waits for the refill', () => {
    const bucket = new TokenBucket({ requestsPerSecond: 2, burst: 2 }, t0);
    bucket.completeSync(-2, t0);
    expect(bucket.remaining).toBe(0);
    expect(bucket.msUntilAvailable()).toBe(1500);
  });
});
