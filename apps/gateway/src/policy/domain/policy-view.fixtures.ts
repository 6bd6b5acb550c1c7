import { randomBytes, randomUUID } from 'node:crypto';
import { CatalogState, formatApiKey, hashKeySecret, PolicyKey, PolicyState } from '@attest/contracts';

/** Test data builders for the policy domain specs. */
export const PEPPER = 'unit-test-pepper-0123456789';

export function newKey(): { prefix: string; secret: string; raw: string } {
  const prefix = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secret, raw: formatApiKey({ prefix, secret }) };
}

export function catalogState(overrides: Partial<CatalogState> = {}): CatalogState {
  return {
    apiId: randomUUID(),
    name: 'orders',
    basePath: '/orders',
    upstreamUrl: 'http://127.0.0.1:9/',
    status: 'active',
    sunsetAt: null,
    version: 1,
    routes: [
      { method: 'GET', path: '/items/:id', scope: 'items:read' },
      { method: 'POST', path: '/items', scope: 'items:write' },
    ],
    rateLimit: null,
    quota: null,
    ...overrides,
  };
}

export function policyState(options: {
  principalId?: string;
  version?: number;
  status?: PolicyState['status'];
  key: { prefix: string; secret: string };
  keyId?: string;
  keyStatus?: PolicyKey['status'];
  expiresAt?: string | null;
  keyApiIds?: string[] | null;
  keyScopes?: string[] | null;
  grants?: PolicyState['grants'];
}): PolicyState {
  return {
    principalId: options.principalId ?? randomUUID(),
    status: options.status ?? 'active',
    version: options.version ?? 1,
    keys: [
      {
        keyId: options.keyId ?? randomUUID(),
        prefix: options.key.prefix,
        secretHash: hashKeySecret(PEPPER, options.key.secret),
        status: options.keyStatus ?? 'active',
        expiresAt: options.expiresAt ?? null,
        apiIds: options.keyApiIds ?? null,
        scopes: options.keyScopes ?? null,
        rateLimit: null,
        quota: null,
      },
    ],
    grants: options.grants ?? [],
  };
}
