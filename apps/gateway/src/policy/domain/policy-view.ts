import { CatalogState, PolicyState, Quota, RateLimit } from '@attest/contracts';
import { BasePathMatch, matchBasePath } from './base-path';
import { compileRoutes, RouteTable } from './route-table';

/** Rate limit and quotas a key is held to; an entry carries null instead when neither is set. */
export interface LimitSettings {
  rateLimit: RateLimit | null;
  quota: Quota | null;
}

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
  /** The key's own limits over every API it calls. */
  limits: LimitSettings | null;
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
  /** When the API was deprecated, where the catalog says so. */
  deprecatedAtMs: number | null;
  version: number;
  routes: RouteTable;
  /** Limits every key is held to on this API, each key separately. */
  keyLimits: LimitSettings | null;
  /** `Deprecation` and `Sunset` fields added to every proxied answer, built once per catalog version. */
  noticeHeaders: readonly string[];
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
      limits: limitSettings(key),
    })),
    grantsByApi,
  };
}

/**
 * `deprecatedAt` is not in the catalog contract yet; it is read when a producer sends it, so the
 * `Deprecation` date appears without a gateway change once the contract carries it.
 */
type CatalogWithDeprecation = CatalogState & { deprecatedAt?: string | null };

function toApiEntry(state: CatalogWithDeprecation): ApiEntry {
  const upstream = new URL(state.upstreamUrl);
  const parsed = state.deprecatedAt ? Date.parse(state.deprecatedAt) : Number.NaN;
  const deprecatedAtMs = Number.isNaN(parsed) ? null : parsed;
  return {
    apiId: state.apiId,
    basePath: state.basePath,
    upstreamOrigin: upstream.origin,
    upstreamPath: upstream.pathname.replace(/\/+$/, ''),
    status: state.status,
    sunsetAt: state.sunsetAt,
    deprecatedAtMs,
    version: state.version,
    routes: compileRoutes(state.routes),
    keyLimits: limitSettings(state),
    noticeHeaders: lifecycleNotice({ status: state.status, sunsetAt: state.sunsetAt, deprecatedAtMs }),
  };
}

function limitSettings(source: { rateLimit?: RateLimit | null; quota?: Quota | null }): LimitSettings | null {
  const rateLimit = source.rateLimit ?? null;
  const quota = source.quota !== null && source.quota !== undefined && (source.quota.perDay !== null || source.quota.perMonth !== null) ? source.quota : null;
  return rateLimit === null && quota === null ? null : { rateLimit, quota };
}

/**
 * RFC 9745 `Deprecation` (a structured-field date, `@<epoch seconds>`, of when the API was deprecated;
 * `true` where that moment is unknown, as the drafts before the RFC wrote it) and RFC 8594 `Sunset`
 * (an HTTP-date), sent while the API is deprecated; a sunset planned for an active API is announced too.
 */
export function lifecycleNotice(api: { status: CatalogState['status']; sunsetAt: string | null; deprecatedAtMs: number | null }): string[] {
  if (api.status === 'retired') return [];
  const headers: string[] = [];
  if (api.status === 'deprecated') {
    headers.push('deprecation', api.deprecatedAtMs === null ? 'true' : `@${Math.floor(api.deprecatedAtMs / 1000)}`);
  }
  const sunsetMs = api.sunsetAt === null ? Number.NaN : Date.parse(api.sunsetAt);
  if (!Number.isNaN(sunsetMs)) headers.push('sunset', new Date(sunsetMs).toUTCString());
  return headers;
}
