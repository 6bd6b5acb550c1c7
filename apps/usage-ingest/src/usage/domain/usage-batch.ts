import { KeyCall } from './key-call';

/** Calls under one grant by one key on one route on one UTC day. */
export interface DailyCount {
  keyId: string;
  grantId: string;
  route: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  requests: number;
  lastUsedAt: string;
}

/** Calls under one grant. */
export interface GrantCount {
  grantId: string;
  requests: number;
  lastUsedAt: string;
}

/** Calls by one key to one API, with who made the latest and under which grant. */
export interface KeyApiCount {
  keyId: string;
  apiId: string;
  principalId: string;
  /** The grant of the latest call that had one; null when none had. */
  grantId: string | null;
  requests: number;
  lastUsedAt: string;
}

/** A batch of calls reduced to one increment per row it touches. */
export interface UsageBatch {
  daily: DailyCount[];
  grants: GrantCount[];
  keyApis: KeyApiCount[];
}

interface Increment {
  requests: number;
  lastUsedAt: string;
  /** `lastUsedAt` as epoch milliseconds, to compare without parsing again. */
  ms: number;
}

/**
 * Reduces calls to one increment per aggregate row, so the database upserts each row once per batch
 * however many calls hit it (and one INSERT ... ON CONFLICT may not touch a row twice anyway). Days
 * are UTC so every replica buckets alike. Grants come out sorted, so transactions of different
 * partitions that share a grant lock its row in the same order and cannot deadlock.
 */
export function reduceCalls(calls: readonly KeyCall[]): UsageBatch {
  // Nested maps rather than concatenated keys: the ids arrive as separate strings, and joining them
  // would allocate a new string per call just to look it up.
  const daily: Array<DailyCount & Increment> = [];
  const dailyByKey = new Map<string, Map<string, Map<string, Map<string, DailyCount & Increment>>>>();
  const grants = new Map<string, GrantCount & Increment>();
  const keyApis: Array<KeyApiCount & Increment & { grantMs: number }> = [];
  const keyApisByKey = new Map<string, Map<string, KeyApiCount & Increment & { grantMs: number }>>();
  for (const call of calls) {
    const { keyId, apiId, grantId, route, at } = call;
    const ms = Date.parse(at);
    let byApi = keyApisByKey.get(keyId);
    if (byApi === undefined) keyApisByKey.set(keyId, (byApi = new Map()));
    const keyApi = byApi.get(apiId);
    if (keyApi === undefined) {
      const created = { keyId, apiId, principalId: call.principalId, grantId, grantMs: grantId === null ? -Infinity : ms, requests: 1, lastUsedAt: at, ms };
      byApi.set(apiId, created);
      keyApis.push(created);
    } else {
      keyApi.requests++;
      if (ms >= keyApi.ms) {
        keyApi.lastUsedAt = at;
        keyApi.ms = ms;
        keyApi.principalId = call.principalId;
      }
      if (grantId !== null && ms >= keyApi.grantMs) {
        keyApi.grantId = grantId;
        keyApi.grantMs = ms;
      }
    }
    if (grantId === null || route === null) continue;

    const grant = grants.get(grantId);
    if (grant === undefined) grants.set(grantId, { grantId, requests: 1, lastUsedAt: at, ms });
    else add(grant, at, ms);

    const day = at.endsWith('Z') ? at.slice(0, 10) : new Date(ms).toISOString().slice(0, 10);
    let byGrant = dailyByKey.get(keyId);
    if (byGrant === undefined) dailyByKey.set(keyId, (byGrant = new Map()));
    let byRoute = byGrant.get(grantId);
    if (byRoute === undefined) byGrant.set(grantId, (byRoute = new Map()));
    let byDay = byRoute.get(route);
    if (byDay === undefined) byRoute.set(route, (byDay = new Map()));
    const counted = byDay.get(day);
    if (counted === undefined) {
      const created = { keyId, grantId, route, day, requests: 1, lastUsedAt: at, ms };
      byDay.set(day, created);
      daily.push(created);
    } else add(counted, at, ms);
  }
  // The engine's own string order (code units, as `<` compares), without a comparator called per pair.
  const grantIds = [...grants.keys()].sort();
  return { daily, grants: grantIds.map((id) => grants.get(id)!), keyApis };
}

function add(increment: Increment, at: string, ms: number): void {
  increment.requests++;
  if (ms > increment.ms) {
    increment.lastUsedAt = at;
    increment.ms = ms;
  }
}
