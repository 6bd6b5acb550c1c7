import { Limits, SubjectLimits } from './subject-limits';

export interface LimitRequest {
  keyId: string;
  /** The key's own limits (PolicyKey.rateLimit/quota), over every API it calls. */
  keyLimits: Limits | null;
  apiId: string;
  /** The API's limits per key (CatalogState.rateLimit/quota). */
  apiLimits: Limits | null;
}

/** The IETF draft's two fields of one answer (draft-ietf-httpapi-ratelimit-headers-11), as sent. */
export interface RateLimitFields {
  /** `RateLimit-Policy`: every policy the request is held to, e.g. `"key-rate";q=20;w=2, "api-day";q=1000;w=86400`. */
  policy: string;
  /** `RateLimit`: the service limit closest to exhaustion, e.g. `"api-day";r=5;t=3600` (requests left; seconds until its day or month ends, or until its bucket's next whole token). */
  limit: string;
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
    if (subjects.own === null) subjects.own = this.track(new SubjectLimits(`k:${options.keyId}`, 'key', limits, nowMs));
    else this.track(subjects.own).configure(limits, nowMs);
    return subjects.own;
  }

  private apiSubject(options: { subjects: KeySubjects; request: LimitRequest; limits: Limits; nowMs: number }): SubjectLimits {
    const { subjects, request, limits, nowMs } = options;
    let subject = subjects.onApi.get(request.apiId);
    if (subject === undefined) {
      subject = new SubjectLimits(`ka:${request.keyId}:${request.apiId}`, 'api', limits, nowMs);
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

/** The service limit closest to exhaustion while the fields are gathered. */
interface Closest {
  name: string;
  remaining: number;
  /** The effective window: seconds within which no more than `remaining` can be used; null when unbounded (a full bucket). */
  windowSeconds: number | null;
}

/** Reports the limit with the fewest requests left (the longest window among equals), and every policy. */
function fieldsOf(options: { own: SubjectLimits | null; onApi: SubjectLimits | null; nowMs: number }): RateLimitFields | null {
  const { own, onApi, nowMs } = options;
  const closest: Closest = { name: '', remaining: Number.POSITIVE_INFINITY, windowSeconds: null };
  if (own !== null) considerSubject({ closest, subject: own, nowMs });
  if (onApi !== null) considerSubject({ closest, subject: onApi, nowMs });
  if (closest.remaining === Number.POSITIVE_INFINITY) return null;
  return {
    policy: own === null ? onApi!.policyItems : onApi === null ? own.policyItems : onApi.policyAfter(own),
    limit: closest.windowSeconds === null ? `${closest.name};r=${closest.remaining}` : `${closest.name};r=${closest.remaining};t=${closest.windowSeconds}`,
  };
}

function considerSubject(options: { closest: Closest; subject: SubjectLimits; nowMs: number }): void {
  const { closest, subject, nowMs } = options;
  const { bucket, day, month, names } = subject;
  if (bucket !== null) consider(closest, { name: names.rate, remaining: bucket.remaining, resetMs: bucket.msUntilNextToken() });
  if (day !== null) consider(closest, { name: names.day, remaining: day.remaining, resetMs: day.msUntilReset(nowMs) });
  if (month !== null) consider(closest, { name: names.month, remaining: month.remaining, resetMs: month.msUntilReset(nowMs) });
}

/** Fewest requests left wins; among equals, the longer window (the one that keeps the client waiting longer). */
function consider(closest: Closest, candidate: { name: string; remaining: number; resetMs: number | null }): void {
  const windowSeconds = candidate.resetMs === null ? null : Math.ceil(candidate.resetMs / 1000);
  if (candidate.remaining < closest.remaining || (candidate.remaining === closest.remaining && (windowSeconds ?? 0) > (closest.windowSeconds ?? 0))) {
    closest.name = candidate.name;
    closest.remaining = candidate.remaining;
    closest.windowSeconds = windowSeconds;
  }
}
