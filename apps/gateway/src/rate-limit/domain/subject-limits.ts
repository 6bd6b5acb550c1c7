import { Quota, RateLimit } from '@attest/contracts';
import { QuotaCounter } from './quota-counter';
import { TokenBucket } from './token-bucket';

/** The limits one subject (a key, or a key on one API) is held to; null where none is set. */
export interface Limits {
  rateLimit: RateLimit | null;
  quota: Quota | null;
}

/**
 * The live state of one subject's limits: its token bucket and its day and month counters. `id`
 * names it in shared counters (`k:<keyId>` or `ka:<keyId>:<apiId>`).
 */
export class SubjectLimits {
  bucket: TokenBucket | null = null;
  day: QuotaCounter | null = null;
  month: QuotaCounter | null = null;
  lastUsedMs: number;
  /** The `RateLimit-Policy` items of this subject, rebuilt only when its limits or a month change. */
  policyItems = '';
  private limits: Limits | null = null;

  constructor(
    readonly id: string,
    limits: Limits,
    nowMs: number,
  ) {
    this.lastUsedMs = nowMs;
    this.configure(limits, nowMs);
  }

  /** Follows a changed policy: counters keep what they counted, a bucket keeps its level. Cheap when nothing changed. */
  configure(limits: Limits, nowMs: number): void {
    if (limits === this.limits) return;
    this.limits = limits;
    const { rateLimit, quota } = limits;
    if (rateLimit === null) this.bucket = null;
    else if (this.bucket === null) this.bucket = new TokenBucket(rateLimit, nowMs);
    else this.bucket.reconfigure(rateLimit);
    this.day = counterFor(this.day, { period: 'day', cap: quota?.perDay ?? null, nowMs });
    this.month = counterFor(this.month, { period: 'month', cap: quota?.perMonth ?? null, nowMs });
    this.policyItems = policyItems(this);
  }

  /** Brings the bucket and windows to `nowMs`. */
  advance(nowMs: number): void {
    this.lastUsedMs = nowMs;
    this.bucket?.refill(nowMs);
    const rolled = (this.day?.roll(nowMs) ?? false) || (this.month?.roll(nowMs) ?? false);
    if (rolled) this.policyItems = policyItems(this);
  }

  canTake(): boolean {
    return (this.bucket?.canTake() ?? true) && (this.day?.canTake() ?? true) && (this.month?.canTake() ?? true);
  }

  take(): void {
    this.bucket?.take();
    this.day?.take();
    this.month?.take();
  }

  /** Whether quota counts of it still wait to be pushed to the shared counters. */
  hasUnsyncedCounts(): boolean {
    return (this.day?.hasUnsynced ?? false) || (this.month?.hasUnsynced ?? false);
  }

  /** Whether it can be forgotten without losing anything: idle, bucket full, nothing counted in an open window. */
  isDisposable(options: { nowMs: number; idleMs: number }): boolean {
    const { nowMs } = options;
    if (nowMs - this.lastUsedMs < options.idleMs) return false;
    return (this.bucket?.isFull(nowMs) ?? true) && (this.day?.isSpent(nowMs) ?? true) && (this.month?.isSpent(nowMs) ?? true);
  }
}

function counterFor(held: QuotaCounter | null, options: { period: 'day' | 'month'; cap: number | null; nowMs: number }): QuotaCounter | null {
  if (options.cap === null) return null;
  if (held === null) return new QuotaCounter(options.period, options.cap, options.nowMs);
  held.reconfigure(options.cap);
  return held;
}

/**
 * The IETF draft's quota policies (draft-ietf-httpapi-ratelimit-headers-06): `<quota>;w=<seconds>`,
 * the bucket as its sustained rate per window with its `burst`.
 */
function policyItems(subject: SubjectLimits): string {
  const items: string[] = [];
  if (subject.bucket !== null) {
    const rate = subject.bucket.requestsPerSecond;
    // A fractional rate is written over the window that makes it a whole number of requests (0.5/s → 1;w=2).
    const window = rate >= 1 ? 1 : Math.ceil(1 / rate);
    items.push(`${Math.max(1, Math.floor(rate * window))};w=${window};burst=${subject.bucket.capacity}`);
  }
  if (subject.day !== null) items.push(`${subject.day.limit};w=${subject.day.windowSeconds}`);
  if (subject.month !== null) items.push(`${subject.month.limit};w=${subject.month.windowSeconds}`);
  return items.join(', ');
}
