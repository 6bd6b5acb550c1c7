import { AccessOutcome, parseApiKey } from '@attest/contracts';
import { ApiEntry, KeyEntry, PolicyView } from './policy-view';
import { CompiledRoute, hasDotSegment, matchRoute } from './route-table';
import { pepperKey, SecretVerifier } from './credential';

export interface AccessRequest {
  /** The presented key, or null when the request carried none. */
  credential: string | null;
  method: string;
  /** The request path without its query string. */
  path: string;
  nowMs: number;
}

/**
 * Why a credential was refused. `unknown` covers a missing, malformed or unknown key and a wrong
 * secret alike; only a caller holding the genuine secret learns that its key expired or was revoked.
 */
export type CredentialFailure = 'unknown' | 'expired' | 'revoked';

/** Everything known about a request once it is decided; what is unknown at the point of denial is absent. */
export type AccessDecision =
  | { outcome: 'unauthenticated'; failure: CredentialFailure }
  | { outcome: 'not_found'; key: KeyEntry }
  | { outcome: 'retired'; key: KeyEntry; api: ApiEntry }
  | { outcome: 'forbidden'; key: KeyEntry; api: ApiEntry; route: CompiledRoute }
  | { outcome: 'allowed'; key: KeyEntry; api: ApiEntry; route: CompiledRoute; grantId: string; rest: string };

export type DecidedOutcome = AccessDecision['outcome'] & AccessOutcome;

/** Compared against when the prefix is unknown, so a miss costs the same hash as a hit and timing reveals nothing. */
const DECOY_HASH = Buffer.alloc(32);

// Shared, immutable answers: a refused credential needs no allocation.
const REFUSED: Record<CredentialFailure, AccessDecision> = {
  unknown: { outcome: 'unauthenticated', failure: 'unknown' },
  expired: { outcome: 'unauthenticated', failure: 'expired' },
  revoked: { outcome: 'unauthenticated', failure: 'revoked' },
};

/**
 * The gateway's policy decision, in the order that reveals the least: who is calling (401, telling
 * expired and revoked keys apart only to the holder of the genuine secret), then what they address
 * (404, 410 for a retired API), then whether a grant covers it and the key is not narrowed away from it (403).
 */
export class AccessEvaluator {
  private readonly secrets: SecretVerifier;

  constructor(
    private readonly view: PolicyView,
    pepper: string,
  ) {
    this.secrets = new SecretVerifier(pepperKey(pepper));
  }

  decide(request: AccessRequest): AccessDecision {
    const key = this.authenticate(request.credential, request.nowMs);
    if (typeof key === 'string') return REFUSED[key];
    if (hasDotSegment(request.path)) return { outcome: 'not_found', key };
    const match = this.view.matchApi(request.path);
    if (match === null) return { outcome: 'not_found', key };
    const api = match.entry;
    if (api.status === 'retired') return { outcome: 'retired', key, api };
    const route = matchRoute(api.routes, request.method, match.rest === '' ? '/' : match.rest);
    if (route === null) return { outcome: 'not_found', key };
    const grantId = this.grantFor({ key, apiId: api.apiId, scope: route.scope });
    if (grantId === null) return { outcome: 'forbidden', key, api, route };
    return { outcome: 'allowed', key, api, route, grantId, rest: match.rest };
  }

  /**
   * The key, when the credential is a well-formed, known, matching, unrevoked, unexpired key of an
   * active principal. An unknown prefix is hashed and compared like a known one, so neither the
   * answer nor its timing tells whether a prefix exists.
   */
  authenticate(credential: string | null, nowMs: number): KeyEntry | CredentialFailure {
    if (credential === null) return 'unknown';
    const parsed = parseApiKey(credential);
    if (parsed === null) return 'unknown';
    const key = this.view.keyByPrefix(parsed.prefix);
    const matches = this.secrets.matches(parsed.secret, key?.secretHash ?? DECOY_HASH);
    if (key === undefined || !matches) return 'unknown';
    // A suspended key and a key of a principal no longer active both count as revoked: neither works again by waiting.
    if (key.revoked || this.view.principal(key.principalId)?.active !== true) return 'revoked';
    if (key.expiresAtMs !== null && key.expiresAtMs <= nowMs) return 'expired';
    return key;
  }

  /** The principal's grant covering the scope on the API, unless the key itself is narrowed to exclude either. */
  private grantFor(target: { key: KeyEntry; apiId: string; scope: string }): string | null {
    const { key } = target;
    if (key.apiIds !== null && !key.apiIds.has(target.apiId)) return null;
    if (key.scopes !== null && !key.scopes.has(target.scope)) return null;
    const grants = this.view.principal(key.principalId)?.grantsByApi.get(target.apiId);
    if (grants === undefined) return null;
    for (const grant of grants) {
      if (grant.scopes.has(target.scope)) return grant.grantId;
    }
    return null;
  }
}
