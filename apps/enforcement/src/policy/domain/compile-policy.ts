import type { PolicyState } from '@attest/contracts';

export interface PolicyKeySource {
  id: string;
  prefix: string;
  secretHash: string;
  status: 'active' | 'revoked';
  expiresAt: Date | null;
  createdAt: Date;
}

export interface PolicyGrantSource {
  id: string;
  apiId: string;
  scopes: string[];
  status: 'active' | 'revoked' | 'orphaned';
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
 * The full policy of one principal as the gateway enforces it: every key (revoked ones too, so a
 * revoked key is known and answered 401) and only the active grants, since an absent grant is not
 * granted. The output is ordered, so the same state always compiles to the same message.
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
    })),
    grants: source.grants
      .filter((grant) => grant.status === 'active')
      .sort(byCreation)
      .map((grant) => ({ grantId: grant.id, apiId: grant.apiId, scopes: [...new Set(grant.scopes)].sort() })),
  };
}

function byCreation(a: { id: string; createdAt: Date }, b: { id: string; createdAt: Date }): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}
