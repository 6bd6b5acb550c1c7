import { CatalogState, PolicyState } from '@attest/contracts';
import { BasePathMatch, matchBasePath } from './base-path';
import { compileRoutes, RouteTable } from './route-table';

/** An API key as the gateway holds it: enough to verify a presented secret, never the secret itself. */
export interface KeyEntry {
  keyId: string;
  principalId: string;
  prefix: string;
  /** The raw 32 bytes of the HMAC, decoded once so every check is a constant-time buffer compare. */
  secretHash: Buffer;
  /** Revoked or suspended: either way it opens nothing. */
  revoked: boolean;
  expiresAtMs: number | null;
  /** When set, the key works only on these APIs, whatever its principal is granted. */
  apiIds: ReadonlySet<string> | null;
  /** When set, the key carries only these scopes, whatever its principal is granted. */
  scopes: ReadonlySet<string> | null;
}

export interface GrantEntry {
  grantId: string;
  scopes: ReadonlySet<string>;
}

export interface PrincipalEntry {
  principalId: string;
  active: boolean;
  version: number;
  keys: readonly KeyEntry[];
  /** Active grants by API id. */
  grantsByApi: ReadonlyMap<string, readonly GrantEntry[]>;
}

export interface ApiEntry {
  apiId: string;
  basePath: string;
  /** `scheme://host:port` of the upstream: one connection pool each. */
  upstreamOrigin: string;
  /** The upstream URL's own path without a trailing slash (usually `''`); the request's rest is appended. */
  upstreamPath: string;
  status: CatalogState['status'];
  sunsetAt: string | null;
  version: number;
  routes: RouteTable;
}

/** What applying one record did: counted per topic in the metrics. */
export type ApplyResult = 'applied' | 'ignored' | 'deleted';

/**
 * The gateway's whole policy knowledge, rebuilt from the compacted policy and catalog topics. State
 * is replaced per key only by a version at least as new as the one held, so a replayed or reordered
 * older record can never bring back a grant or key that a newer one removed; a tombstone deletes.
 */
export class PolicyView {
  private readonly principals = new Map<string, PrincipalEntry>();
  private readonly keysByPrefix = new Map<string, KeyEntry>();
  private readonly apis = new Map<string, ApiEntry>();
  private readonly apisByBasePath = new Map<string, ApiEntry>();

  get principalCount(): number {
    return this.principals.size;
  }

  get apiCount(): number {
    return this.apis.size;
  }

  principal(principalId: string): PrincipalEntry | undefined {
    return this.principals.get(principalId);
  }

  keyByPrefix(prefix: string): KeyEntry | undefined {
    return this.keysByPrefix.get(prefix);
  }

  api(apiId: string): ApiEntry | undefined {
    return this.apis.get(apiId);
  }

  /** The API whose base path is the longest segment-aligned prefix of `path`. */
  matchApi(path: string): BasePathMatch<ApiEntry> | null {
    return matchBasePath(this.apisByBasePath, path);
  }

  /** Applies one record of `policy.state.v1`; `state` null is a tombstone for the principal `key`. */
  applyPolicy(key: string, state: PolicyState | null): ApplyResult {
    if (state === null) return this.removePrincipal(key) ? 'deleted' : 'ignored';
    const held = this.principals.get(state.principalId);
    if (held !== undefined && state.version < held.version) return 'ignored';
    if (held !== undefined) this.unindexKeys(held);
    const entry = toPrincipalEntry(state);
    this.principals.set(entry.principalId, entry);
    for (const keyEntry of entry.keys) this.keysByPrefix.set(keyEntry.prefix, keyEntry);
    return 'applied';
  }

  /** Applies one record of `catalog.state.v1`; `state` null is a tombstone for the API `key`. */
  applyCatalog(key: string, state: CatalogState | null): ApplyResult {
    if (state === null) return this.removeApi(key) ? 'deleted' : 'ignored';
    const held = this.apis.get(state.apiId);
    if (held !== undefined && state.version < held.version) return 'ignored';
    if (held !== undefined) this.unindexApi(held);
    const entry = toApiEntry(state);
    this.apis.set(entry.apiId, entry);
    this.apisByBasePath.set(entry.basePath, entry);
    return 'applied';
  }

  private removePrincipal(principalId: string): boolean {
    const held = this.principals.get(principalId);
    if (held === undefined) return false;
    this.unindexKeys(held);
    this.principals.delete(principalId);
    return true;
  }

  private removeApi(apiId: string): boolean {
    const held = this.apis.get(apiId);
    if (held === undefined) return false;
    this.unindexApi(held);
    this.apis.delete(apiId);
    return true;
  }

  // Only drops index entries still pointing at this holder: another may have claimed the prefix or path since.
  private unindexKeys(principal: PrincipalEntry): void {
    for (const keyEntry of principal.keys) {
      if (this.keysByPrefix.get(keyEntry.prefix)?.principalId === principal.principalId) this.keysByPrefix.delete(keyEntry.prefix);
    }
  }

  private unindexApi(api: ApiEntry): void {
    if (this.apisByBasePath.get(api.basePath)?.apiId === api.apiId) this.apisByBasePath.delete(api.basePath);
  }
}

function toPrincipalEntry(state: PolicyState): PrincipalEntry {
  const grantsByApi = new Map<string, GrantEntry[]>();
  for (const grant of state.grants) {
    const list = grantsByApi.get(grant.apiId) ?? [];
    list.push({ grantId: grant.grantId, scopes: new Set(grant.scopes) });
    grantsByApi.set(grant.apiId, list);
  }
  return {
    principalId: state.principalId,
    active: state.status === 'active',
    version: state.version,
    keys: state.keys.map((key) => ({
      keyId: key.keyId,
      principalId: state.principalId,
      prefix: key.prefix,
      secretHash: Buffer.from(key.secretHash, 'hex'),
      revoked: key.status !== 'active',
      expiresAtMs: key.expiresAt === null ? null : Date.parse(key.expiresAt),
      apiIds: key.apiIds === null ? null : new Set(key.apiIds),
      scopes: key.scopes === null ? null : new Set(key.scopes),
    })),
    grantsByApi,
  };
}

function toApiEntry(state: CatalogState): ApiEntry {
  const upstream = new URL(state.upstreamUrl);
  return {
    apiId: state.apiId,
    basePath: state.basePath,
    upstreamOrigin: upstream.origin,
    upstreamPath: upstream.pathname.replace(/\/+$/, ''),
    status: state.status,
    sunsetAt: state.sunsetAt,
    version: state.version,
    routes: compileRoutes(state.routes),
  };
}
