/** The headers of an Okta response the budget reads. */
export interface RateLimitHeaders {
  get(name: string): string | null;
}

export interface RateLimitCounters {
  /** 429 answers the SDK waited out (until `X-Rate-Limit-Reset`) before retrying. */
  waits429: number;
  /** Times a request was held back because `X-Rate-Limit-Remaining` had reached the reserve. */
  pauses: number;
  /** Time spent in both kinds of wait. */
  waitedMs: number;
}

/** Slack added to a computed reset, for clock rounding (Okta's `Date` has whole seconds). */
const RESET_SLACK_MS = 100;
/** A `Date` this close to our clock is the same clock read to the whole second; only a larger gap is skew worth correcting. */
const CLOCK_TOLERANCE_MS = 2000;

/**
 * What Okta's `X-Rate-Limit-*` headers said last, shared by every client of one org. A request that would
 * eat into the reserve waits until the window resets instead of drawing a 429; waits are counted so a
 * sync can report them.
 */
export class RateLimitBudget {
  readonly counters: RateLimitCounters = { waits429: 0, pauses: 0, waitedMs: 0 };
  private remaining: number | null = null;
  private limit: number | null = null;
  private resetAtMs = 0;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(headers: RateLimitHeaders): void {
    const remaining = headers.get('x-rate-limit-remaining');
    const reset = headers.get('x-rate-limit-reset');
    if (remaining === null || reset === null || Number.isNaN(Number(remaining)) || Number.isNaN(Number(reset))) return;
    // The reset is in the server's clock; its Date header tells how far ours is off, to within the header's whole second.
    const serverNow = Date.parse(headers.get('date') ?? '');
    const offset = Number.isNaN(serverNow) ? 0 : this.now() - serverNow;
    const limit = Number(headers.get('x-rate-limit-limit'));
    this.remaining = Number(remaining);
    this.limit = Number.isFinite(limit) && limit > 0 ? limit : null;
    this.resetAtMs = Number(reset) * 1000 + (Math.abs(offset) < CLOCK_TOLERANCE_MS ? 0 : offset);
  }

  /**
   * How long a request must wait so that `reserve` requests of the window stay unused; 0 to go now. The
   * reserve never exceeds a tenth of the window, so a small budget is not mostly held back.
   */
  delayMs(reserve: number): number {
    const held = this.limit === null ? reserve : Math.min(reserve, Math.floor(this.limit / 10));
    if (this.remaining === null || this.remaining > held) return 0;
    const wait = this.resetAtMs - this.now();
    if (wait <= 0) {
      this.remaining = null;
      return 0;
    }
    return wait + RESET_SLACK_MS;
  }

  /** Resolves when a request may be sent without dipping into the reserve. */
  async admit(reserve: number): Promise<void> {
    const delay = this.delayMs(reserve);
    if (delay === 0) return;
    this.counters.pauses++;
    this.counters.waitedMs += delay;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delay);
      this.sleepers.add(wake);
    });
    // A new window began; its budget is unknown until the next response says.
    this.remaining = null;
  }

  recordBackoff(delayMs: number): void {
    this.counters.waits429++;
    this.counters.waitedMs += Math.max(0, delayMs);
  }

  /** Releases every waiting request at once (shutdown: they fail fast or finish, nothing hangs). */
  releaseWaiters(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
