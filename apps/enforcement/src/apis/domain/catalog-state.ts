import type { ApiRoute, CatalogState, Quota, RateLimit } from '@attest/contracts';

export interface CatalogSource {
  id: string;
  name: string;
  basePath: string;
  upstreamUrl: string;
  status: CatalogState['status'];
  sunsetAt: Date | null;
  version: number;
  routes: ApiRoute[];
  rateLimit: RateLimit | null;
  quota: Quota | null;
}

/** The full state of one API as the gateways enforce it; the same row always gives the same message. */
export function catalogStateOf(api: CatalogSource): CatalogState {
  return {
    apiId: api.id,
    name: api.name,
    basePath: api.basePath,
    upstreamUrl: api.upstreamUrl,
    status: api.status,
    sunsetAt: api.sunsetAt?.toISOString() ?? null,
    version: api.version,
    routes: api.routes.map((route) => ({ method: route.method, path: route.path, scope: route.scope })),
    rateLimit: api.rateLimit,
    quota: api.quota,
  };
}
