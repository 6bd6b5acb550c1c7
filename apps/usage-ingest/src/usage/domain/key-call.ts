import type { AccessLogRecord } from '@attest/contracts';

/** One call the gateway authenticated with a key against a known API: the unit usage is counted in. */
export interface KeyCall {
  keyId: string;
  apiId: string;
  principalId: string;
  /** The grant the call was allowed under; null when none matched (the call was denied). */
  grantId: string | null;
  /** The matched route; always set when `grantId` is. */
  route: string | null;
  /** When the gateway saw the call (ISO 8601, any offset). */
  at: string;
}

export type AccessUsage = { kind: 'call'; call: KeyCall } | { kind: 'none' } | { kind: 'malformed'; reason: string };

/**
 * Decides what an access-log record says about usage. A call counts for its key and API once the
 * gateway authenticated the key, even when no grant allowed it (the key's holder still calls the API);
 * it counts for a grant only when it names one. The gateway resolves a grant only through a key, an
 * API and a route, so a grant without them is a contract violation to surface, not a call to guess at.
 */
export function usageOf(record: AccessLogRecord): AccessUsage {
  const { keyId, apiId, principalId, grantId, route } = record;
  if (grantId !== null) {
    const missing = keyId === null ? 'key' : apiId === null ? 'API' : principalId === null ? 'principal' : route === null ? 'route' : null;
    if (missing) return { kind: 'malformed', reason: `request ${record.requestId} names grant ${grantId} but no ${missing}` };
  }
  if (keyId === null || apiId === null || principalId === null || record.outcome === 'unauthenticated') return { kind: 'none' };
  return { kind: 'call', call: { keyId, apiId, principalId, grantId, route, at: record.at } };
}
