import { Quota, RateLimit } from '@attest/contracts';
import { QuotaCounter } from './quota-counter';
import { TokenBucket } from './token-bucket';

/** The limits one subject (a key, or a key on one API) is held to; null where none is set. */
export interface Limits {
  rateLimit: RateLimit | null;
  quota: Quota | null;
}

/**
 * Whose limits a subject holds, which prefixes its policy names in the RateLimit fields: `key-rate`,
 * `key-day`, `key-month` for the key's own limits over every API; `api-rate`, `api-day`, `api-month`
 * for the key's limits on the API it called.
 */
export type SubjectScope = 'key' | 'api';

/** A subject's policy names, made once per scope. */
const POLICY_NAMES: Record<SubjectScope, { rate: string; day: string; month: string }> = {
  key: { rate: '"key-rate"', day: '"key-day"', month: '"key-month"' },
  api: { rate: '"api-rate"', day: '"api-day"', month: '"api-month"' },
};

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
  /** Policy names as `RateLimit` items quote them. */
  readonly names: { rate: string; day: string; month: string };
  private limits: Limits | null = null;
  /** The items of another subject followed by this one's, kept while neither changes (see `policyAfter`). */
  private joined = { before: '', own: '', value: '' };

  constructor(
    readonly id: string,
    scope: SubjectScope,
    limits: Limits,
    nowMs: number,
  ) {
    this.names = POLICY_NAMES[scope];
    this.lastUsedMs = nowMs;
    this.configure(limits, nowMs);
  }

  /** `RateLimit-Policy` for a request held to `other` and to this subject: built once, then reused while both stay the same. */
  policyAfter(other: SubjectLimits): string {
    const joined = this.joined;
    if (joined.before !== other.policyItems || joined.own !== this.policyItems) {
      this.joined = { before: other.policyItems, own: this.policyItems, value: `${other.policyItems}, ${this.policyItems}` };
    }
    return this.joined.value;
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
 * The subject's quota policies as `RateLimit-Policy` items (draft-ietf-httpapi-ratelimit-headers-11):
 * a bucket as its burst over the seconds it takes to refill from empty (`"key-rate";q=20;w=2` for
 * 10/s with a burst of 20, never more than the bucket admits over the window), a day as its cap over
 * 86,400 s, a month as its cap over the seconds of this month.
 */
function policyItems(subject: SubjectLimits): string {
  const items: string[] = [];
  const { names } = subject;
  if (subject.bucket !== null) items.push(`${names.rate};q=${subject.bucket.capacity};w=${Math.max(1, Math.ceil(subject.bucket.capacity / subject.bucket.requestsPerSecond))}`);
  if (subject.day !== null) items.push(`${names.day};q=${subject.day.limit};w=${subject.day.windowSeconds}`);
  if (subject.month !== null) items.push(`${names.month};q=${subject.month.limit};w=${subject.month.windowSeconds}`);
  return items.join(', ');
}
