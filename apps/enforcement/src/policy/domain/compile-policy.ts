import type { IdentityStatus, PolicyState, Quota, RateLimit } from '@attest/contracts';

export interface PolicyKeySource {
  id: string;
  prefix: string;
  secretHash: string;
  status: 'active' | 'suspended' | 'revoked';
  expiresAt: Date | null;
  apiIds: string[] | null;
  scopes: string[] | null;
  rateLimit: RateLimit | null;
  quota: Quota | null;
  createdAt: Date;
}

export interface PolicyGrantSource {
  id: string;
  apiId: string;
  scopes: string[];
  status: 'active' | 'revoked' | 'orphaned';
  /** An orphaned grant that keeps working until a reviewer decides (ORPHANED_ACCESS_MODE=flag). */
  heldPendingReview: boolean;
  createdAt: Date;
}

export interface PolicySource {
  principalId: string;
  status: PolicyState['status'];
  version: number;
  keys: PolicyKeySource[];
  grants: PolicyGrantSource[];
}

/**
 * The status the gateway enforces for a principal: an identity that is not active denies every key,
 * unless its access is held pending review ('flag' mode). The contract has no 'deactivated', and to
 * the gateway it means the same as 'suspended'.
 */
export function policyStatusOf(principal: { status: IdentityStatus; heldPendingReview: boolean }): PolicyState['status'] {
  if (principal.status === 'active' || principal.heldPendingReview) return 'active';
  return principal.status === 'deleted' ? 'deleted' : 'suspended';
}

/** A grant is in effect while active, or while orphaned but held pending review. */
export function grantInEffect(grant: Pick<PolicyGrantSource, 'status' | 'heldPendingReview'>): boolean {
  return grant.status === 'active' || (grant.status === 'orphaned' && grant.heldPendingReview);
}

/**
 * The full policy of one principal as the gateway enforces it: every key (revoked and suspended ones
 * too, so such a key is known and answered 401) and only the grants in effect, since an absent grant
 * is not granted. The output is ordered, so the same state always compiles to the same message.
 */
export function compilePolicy(source: PolicySource): PolicyState {
  return {
    principalId: source.principalId,
    status: source.status,
    version: source.version,
    keys: [...source.keys].sort(byCreation).map((key) => ({
      keyId: key.id,
      prefix: key.prefix,
      secretHash: key.secretHash,
      status: key.status,
      expiresAt: key.expiresAt?.toISOString() ?? null,
      apiIds: sortedSet(key.apiIds),
      scopes: sortedSet(key.scopes),
      rateLimit: key.rateLimit,
      quota: key.quota,
    })),
    grants: source.grants
      .filter(grantInEffect)
      .sort(byCreation)
      .map((grant) => ({ grantId: grant.id, apiId: grant.apiId, scopes: sortedSet(grant.scopes) })),
  };
}

function sortedSet<T extends string[] | null>(values: T): T {
  return (values === null ? null : [...new Set(values)].sort()) as T;
}

function byCreation(a: { id: string; createdAt: Date }, b: { id: string; createdAt: Date }): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}
