import { z } from 'zod';
import { apiRouteSchema } from '@attest/contracts';
import { quotaInputSchema, rateLimitInputSchema } from './limits.dto';

/** Same shape as the contract's `basePath`; repeated here to answer with a readable message. */
const BASE_PATH_PATTERN = /^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** The gateway answers these paths itself, so no API may be published below them. */
const RESERVED_FIRST_SEGMENTS = new Set(['health', 'metrics']);

export const upstreamUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const routesSchema = z
  .array(apiRouteSchema)
  .min(1)
  .superRefine((routes, ctx) => {
    const seen = new Set<string>();
    routes.forEach((route, index) => {
      const id = `${route.method} ${route.path}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate route ${id}` });
      seen.add(id);
    });
  });

export const createApiSchema = z.object({
  name: z.string().trim().min(1).max(200),
  basePath: z
    .string()
    .regex(BASE_PATH_PATTERN, 'must look like /payments: a leading slash, path segments, no trailing slash')
    .refine((path) => !RESERVED_FIRST_SEGMENTS.has((path.split('/')[1] ?? '').toLowerCase()), {
      message: 'is reserved by the gateway (/health, /metrics)',
    }),
  upstreamUrl: upstreamUrlSchema,
  ownerEmail: z.email(),
  routes: routesSchema,
  /** Limits per key on this API; null or absent: none. */
  rateLimit: rateLimitInputSchema.nullable().default(null),
  quota: quotaInputSchema.nullable().default(null),
});

export type CreateApiDto = z.infer<typeof createApiSchema>;
