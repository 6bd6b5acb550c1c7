import { z } from 'zod';
import { quotaSchema, rateLimitSchema } from './policy-state.event';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const httpMethodSchema = z.enum(HTTP_METHODS);

export const apiRouteSchema = z.object({
  method: httpMethodSchema,
  /** Path below the API's base path; `:name` matches one segment. */
  path: z.string().regex(/^\/[A-Za-z0-9._~:/-]*$/, 'must start with / and hold only URL path characters'),
  scope: z.string().min(1),
});

export const apiStatusSchema = z.enum(['active', 'deprecated', 'retired']);

/** The current definition of one API (topic key: api id). */
export const catalogStateSchema = z.object({
  apiId: z.uuid(),
  name: z.string().min(1),
  basePath: z.string().regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/),
  upstreamUrl: z.url(),
  status: apiStatusSchema,
  sunsetAt: z.iso.datetime({ offset: true }).nullable(),
  version: z.number().int().nonnegative(),
  routes: z.array(apiRouteSchema),
  /** Limits applied per key on this API. */
  rateLimit: rateLimitSchema.nullable().default(null),
  quota: quotaSchema.nullable().default(null),
});

export type CatalogState = z.infer<typeof catalogStateSchema>;
export type ApiRoute = z.infer<typeof apiRouteSchema>;
export type HttpMethod = z.infer<typeof httpMethodSchema>;
