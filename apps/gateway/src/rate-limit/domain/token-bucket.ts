import { RateLimit } from '@attest/contracts';

/**
 * A token bucket: `burst` tokens at most, refilled at `requestsPerSecond`; each request takes one.
 * In cluster mode the bucket is a local replica of a shared one: what this replica took since the
 * last sync is pushed, and the shared level (everyone's consumption included) replaces the local one.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;
  /** Taken here since the last sync began, not yet seen by the shared bucket. */
  private unsynced = 0;

  constructor(
    private limit: RateLimit,
    nowMs: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAtMs = nowMs;
  }

  get capacity(): number {
    return this.limit.burst;
  }

  get requestsPerSecond(): number {
    return this.limit.requestsPerSecond;
  }

  /** Whole tokens left, never negative (the shared level may be in debt after replicas overshot together). */
  get remaining(): number {
    return this.tokens <= 0 ? 0 : Math.floor(this.tokens);
  }

  refill(nowMs: number): void {
    if (nowMs <= this.updatedAtMs) return;
    const refilled = this.tokens + ((nowMs - this.updatedAtMs) * this.limit.requestsPerSecond) / 1000;
    this.tokens = refilled > this.limit.burst ? this.limit.burst : refilled;
    this.updatedAtMs = nowMs;
  }

  /** Call after `refill`. */
  canTake(): boolean {
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
    this.unsynced += 1;
  }

  /** Milliseconds until one token is available (0 when one is). Call after `refill`. */
  msUntilAvailable(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.limit.requestsPerSecond);
  }

  /**
   * Milliseconds until one more whole token is held (until the first, when in debt), or null when the
   * bucket is full: until then no more than the tokens held can be used. Call after `refill`.
   */
  msUntilNextToken(): number | null {
    if (this.tokens >= this.limit.burst) return null;
    const next = this.tokens < 1 ? 1 : Math.min(Math.floor(this.tokens) + 1, this.limit.burst);
    return Math.ceil(((next - this.tokens) * 1000) / this.limit.requestsPerSecond);
  }

  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.limit.burst;
  }

  /** Takes a changed limit without a fresh burst: the tokens held are kept, up to the new capacity. */
  reconfigure(limit: RateLimit): void {
    if (limit.requestsPerSecond === this.limit.requestsPerSecond && limit.burst === this.limit.burst) return;
    this.limit = limit;
    if (this.tokens > limit.burst) this.tokens = limit.burst;
  }

  /** Starts a sync: returns what to push and forgets it here (a failed push is not retried: rate is ephemeral). */
  beginSync(): number {
    const taken = this.unsynced;
    this.unsynced = 0;
    return taken;
  }

  /** The shared level as of `atMs` (when the sync began), less what was taken here since. */
  completeSync(sharedTokens: number, atMs: number): void {
    const tokens = sharedTokens - this.unsynced;
    this.tokens = tokens > this.limit.burst ? this.limit.burst : tokens;
    this.updatedAtMs = atMs;
  }
}
