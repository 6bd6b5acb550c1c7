import { Limits, SubjectLimits } from './subject-limits';

export interface LimitRequest {
  keyId: string;
  /** The key's own limits (PolicyKey.rateLimit/quota), over every API it calls. */
  keyLimits: Limits | null;
  apiId: string;
  /** The API's limits per key (CatalogState.rateLimit/quota). */
  apiLimits: Limits | null;
}

/** The IETF draft `RateLimit-*` fields of one answer: the limit closest to exhaustion, and every policy. */
export interface RateLimitFields {
  policy: string;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export interface LimitVerdict {
  allowed: boolean;
  /** Whole seconds until the request would be admitted (at least 1 when refused, 0 when allowed). */
  retryAfterSeconds: number;
  /** Null when no limit applies to the request. */
  fields: RateLimitFields | null;
}

const UNLIMITED: LimitVerdict = { allowed: true, retryAfterSeconds: 0, fields: null };

/** A key's subjects: its own limits, and its limits on each API it called. */
interface KeySubjects {
  own: SubjectLimits | null;
  onApi: Map<string, SubjectLimits>;
}

/**
 * Decides, in memory and at once, whether a key may make one more request: it must fit the key's own
 * bucket and quotas and its bucket and quotas on the API; only then is one request taken from each.
 * The clock is injected so that the rules are testable without waiting.
 */
export class RateLimiter {
  private readonly byKey = new Map<string, KeySubjects>();
  /** Subjects used since the cluster sync last asked; it keeps syncing them while they stay recent. */
  private readonly recent = new Set<SubjectLimits>();

  constructor(private readonly clock: () => number) {}

  get subjectCount(): number {
    let count = 0;
    for (const subjects of this.byKey.values()) count += (subjects.own === null ? 0 : 1) + subjects.onApi.size;
    return count;
  }

  check(request: LimitRequest): LimitVerdict {
    if (request.keyLimits === null && request.apiLimits === null) return UNLIMITED;
    const nowMs = this.clock();
    const subjects = this.subjectsOf(request.keyId);
    const own = request.keyLimits === null ? null : this.ownSubject({ subjects, keyId: request.keyId, limits: request.keyLimits, nowMs });
    const onApi = request.apiLimits === null ? null : this.apiSubject({ subjects, request, limits: request.apiLimits, nowMs });
    own?.advance(nowMs);
    onApi?.advance(nowMs);
    const allowed = (own?.canTake() ?? true) && (onApi?.canTake() ?? true);
    if (allowed) {
      own?.take();
      onApi?.take();
    }
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(Math.max(msUntilAdmitted(own, nowMs), msUntilAdmitted(onApi, nowMs)) / 1000)),
      fields: fieldsOf({ own, onApi, nowMs }),
    };
  }

  /**
   * Subjects used within the last `withinMs`, or holding quota counts not yet pushed, for the cluster
   * sync; the others stop being synced until they are used again.
   */
  recentlyUsed(withinMs: number): SubjectLimits[] {
    const since = this.clock() - withinMs;
    const used: SubjectLimits[] = [];
    for (const subject of this.recent) {
      if (subject.lastUsedMs >= since || subject.hasUnsyncedCounts()) used.push(subject);
      else this.recent.delete(subject);
    }
    return used;
  }

  /** Forgets subjects idle for `idleMs` whose forgetting loses nothing; returns how many. */
  sweep(idleMs: number): number {
    const nowMs = this.clock();
    let removed = 0;
    for (const [keyId, subjects] of this.byKey) {
      if (subjects.own?.isDisposable({ nowMs, idleMs })) {
        this.recent.delete(subjects.own);
        subjects.own = null;
        removed++;
      }
      for (const [apiId, subject] of subjects.onApi) {
        if (!subject.isDisposable({ nowMs, idleMs })) continue;
        this.recent.delete(subject);
        subjects.onApi.delete(apiId);
        removed++;
      }
      if (subjects.own === null && subjects.onApi.size === 0) this.byKey.delete(keyId);
    }
    return removed;
  }

  private subjectsOf(keyId: string): KeySubjects {
    let subjects = this.byKey.get(keyId);
    if (subjects === undefined) {
      subjects = { own: null, onApi: new Map() };
      this.byKey.set(keyId, subjects);
    }
    return subjects;
  }

  private ownSubject(options: { subjects: KeySubjects; keyId: string; limits: Limits; nowMs: number }): SubjectLimits {
    const { subjects, limits, nowMs } = options;
    if (subjects.own === null) subjects.own = this.track(new SubjectLimits(`k:${options.keyId}`, limits, nowMs));
    else this.track(subjects.own).configure(limits, nowMs);
    return subjects.own;
  }

  private apiSubject(options: { subjects: KeySubjects; request: LimitRequest; limits: Limits; nowMs: number }): SubjectLimits {
    const { subjects, request, limits, nowMs } = options;
    let subject = subjects.onApi.get(request.apiId);
    if (subject === undefined) {
      subject = new SubjectLimits(`ka:${request.keyId}:${request.apiId}`, limits, nowMs);
      subjects.onApi.set(request.apiId, subject);
    } else {
      subject.configure(limits, nowMs);
    }
    return this.track(subject);
  }

  private track(subject: SubjectLimits): SubjectLimits {
    this.recent.add(subject);
    return subject;
  }
}

/** How long until every limit of the subject that refuses now would admit a request. */
function msUntilAdmitted(subject: SubjectLimits | null, nowMs: number): number {
  if (subject === null) return 0;
  let wait = subject.bucket?.msUntilAvailable() ?? 0;
  for (const counter of [subject.day, subject.month]) {
    if (counter !== null && !counter.canTake()) wait = Math.max(wait, counter.msUntilReset(nowMs));
  }
  return wait;
}

/** Reports the limit with the fewest requests left (the longest reset among equals), as the draft asks. */
function fieldsOf(options: { own: SubjectLimits | null; onApi: SubjectLimits | null; nowMs: number }): RateLimitFields | null {
  const { own, onApi, nowMs } = options;
  const fields: RateLimitFields = { policy: '', limit: 0, remaining: Number.POSITIVE_INFINITY, resetSeconds: 0 };
  if (own !== null) considerSubject({ fields, subject: own, nowMs });
  if (onApi !== null) considerSubject({ fields, subject: onApi, nowMs });
  if (fields.remaining === Number.POSITIVE_INFINITY) return null;
  fields.policy = own === null ? onApi!.policyItems : onApi === null ? own.policyItems : `${own.policyItems}, ${onApi.policyItems}`;
  return fields;
}

function considerSubject(options: { fields: RateLimitFields; subject: SubjectLimits; nowMs: number }): void {
  const { fields, subject, nowMs } = options;
  const { bucket, day, month } = subject;
  if (bucket !== null) consider(fields, { limit: bucket.capacity, remaining: bucket.remaining, resetMs: bucket.msUntilFull() });
  if (day !== null) consider(fields, { limit: day.limit, remaining: day.remaining, resetMs: day.msUntilReset(nowMs) });
  if (month !== null) consider(fields, { limit: month.limit, remaining: month.remaining, resetMs: month.msUntilReset(nowMs) });
}

function consider(fields: RateLimitFields, candidate: { limit: number; remaining: number; resetMs: number }): void {
  const resetSeconds = Math.ceil(candidate.resetMs / 1000);
  if (candidate.remaining < fields.remaining || (candidate.remaining === fields.remaining && resetSeconds > fields.resetSeconds)) {
    fields.limit = candidate.limit;
    fields.remaining = candidate.remaining;
    fields.resetSeconds = resetSeconds;
  }
}
