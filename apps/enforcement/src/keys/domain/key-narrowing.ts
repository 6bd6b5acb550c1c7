import type { ApiRoute } from '@attest/contracts';

export interface NarrowingApi {
  id: string;
  status: 'active' | 'deprecated' | 'retired';
  routes: ApiRoute[];
}

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * What is wrong with a key's narrowing: every named API must exist and not be retired, and every
 * named scope must be routed by one of those APIs (or, with no APIs named, by any API in the catalog).
 */
export function narrowingProblems(input: {
  apiIds: readonly string[] | null;
  scopes: readonly string[] | null;
  /** The APIs found among `apiIds`. */
  apis: readonly NarrowingApi[];
  /** Every scope of the catalog's APIs that are not retired: used when no APIs are named. */
  catalogScopes: ReadonlySet<string>;
}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const found = new Map(input.apis.map((api) => [api.id, api]));
  input.apiIds?.forEach((apiId, index) => {
    const api = found.get(apiId);
    if (!api) problems.push({ field: `apiIds.${index}`, message: `no API with id ${apiId}` });
    else if (api.status === 'retired') problems.push({ field: `apiIds.${index}`, message: `API ${apiId} is retired` });
  });
  const known =
    input.apiIds === null ? input.catalogScopes : new Set(input.apis.flatMap((api) => api.routes.map((route) => route.scope)));
  input.scopes?.forEach((scope, index) => {
    if (!known.has(scope)) {
      const where = input.apiIds === null ? 'any API in the catalog' : 'the APIs the key is narrowed to';
      problems.push({ field: `scopes.${index}`, message: `scope ${scope} is not routed by ${where}` });
    }
  });
  return problems;
}
