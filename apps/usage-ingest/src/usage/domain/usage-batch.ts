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
  const daily = new Map<string, DailyCount & Increment>();
  const grants = new Map<string, GrantCount & Increment>();
  const keyApis = new Map<string, KeyApiCount & Increment & { grantMs: number }>();
  for (const call of calls) {
    const at = call.at;
    const ms = Date.parse(at);
    const keyApiId = call.keyId + call.apiId;
    const keyApi = keyApis.get(keyApiId);
    if (keyApi === undefined) {
      const grantMs = call.grantId === null ? -Infinity : ms;
      const { keyId, apiId, principalId, grantId } = call;
      keyApis.set(keyApiId, { keyId, apiId, principalId, grantId, grantMs, requests: 1, lastUsedAt: at, ms });
    } else {
      keyApi.requests++;
      if (ms >= keyApi.ms) {
        keyApi.lastUsedAt = at;
        keyApi.ms = ms;
        keyApi.principalId = call.principalId;
      }
      if (call.grantId !== null && ms >= keyApi.grantMs) {
        keyApi.grantId = call.grantId;
        keyApi.grantMs = ms;
      }
    }
    const { grantId, route } = call;
    if (grantId === null || route === null) continue;

    const grant = grants.get(grantId);
    if (grant === undefined) grants.set(grantId, { grantId, requests: 1, lastUsedAt: at, ms });
    else add(grant, at, ms);

    const day = at.endsWith('Z') ? at.slice(0, 10) : new Date(ms).toISOString().slice(0, 10);
    const dailyId = `${call.keyId}${grantId}${day}${route}`;
    const counted = daily.get(dailyId);
    if (counted === undefined) daily.set(dailyId, { keyId: call.keyId, grantId, route, day, requests: 1, lastUsedAt: at, ms });
    else add(counted, at, ms);
  }
  return {
    daily: [...daily.values()],
    grants: [...grants.values()].sort((a, b) => (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0)),
    keyApis: [...keyApis.values()],
  };
}

function add(increment: Increment, at: string, ms: number): void {
  increment.requests++;
  if (ms > increment.ms) {
    increment.lastUsedAt = at;
    increment.ms = ms;
  }
}
