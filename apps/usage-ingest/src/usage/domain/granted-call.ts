import type { AccessLogRecord } from '@attest/contracts';

/** One call the gateway let through under a grant: the unit usage is counted in. */
export interface GrantedCall {
  keyId: string;
  grantId: string;
  route: string;
  /** When the gateway saw the call (ISO 8601, any offset). */
  at: string;
}

export type AccessUsage =
  | { kind: 'granted'; call: GrantedCall }
  | { kind: 'not-granted' }
  | { kind: 'malformed'; reason: string };

/**
 * Decides what an access-log record says about usage. Only a record naming a grant counts: the
 * gateway resolves a grant only for a call it allowed, and always through a key and a route, so a
 * grant without them is a contract violation to surface, not a call to guess at.
 */
export function usageOf(record: AccessLogRecord): AccessUsage {
  if (record.grantId === null) return { kind: 'not-granted' };
  if (record.keyId === null) return { kind: 'malformed', reason: `request ${record.requestId} names grant ${record.grantId} but no key` };
  if (record.route === null) {
    return { kind: 'malformed', reason: `request ${record.requestId} names grant ${record.grantId} but no route` };
  }
  return { kind: 'granted', call: { keyId: record.keyId, grantId: record.grantId, route: record.route, at: record.at } };
}
