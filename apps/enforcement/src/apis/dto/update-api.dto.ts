import { z } from 'zod';
import { routesSchema, upstreamUrlSchema } from './create-api.dto';
import { quotaInputSchema, rateLimitInputSchema } from './limits.dto';

/** What an admin may change on a published API; absent fields stay, null clears a limit. */
export const updateApiSchema = z
  .strictObject({
    upstreamUrl: upstreamUrlSchema.optional(),
    routes: routesSchema.optional(),
    ownerEmail: z.email().optional(),
    rateLimit: rateLimitInputSchema.nullable().optional(),
    quota: quotaInputSchema.nullable().optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'give at least one of upstreamUrl, routes, ownerEmail, rateLimit, quota',
  });

export type UpdateApiDto = z.infer<typeof updateApiSchema>;
