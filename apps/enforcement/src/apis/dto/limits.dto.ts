import { z } from 'zod';
import { rateLimitSchema } from '@attest/contracts';

/** A token bucket: sustained requests per second and the burst allowed on top. */
export const rateLimitInputSchema = rateLimitSchema;

/** Caps per UTC day and month; at least one, and a day's cap no larger than the month's. */
export const quotaInputSchema = z
  .object({
    perDay: z.number().int().positive().nullable().default(null),
    perMonth: z.number().int().positive().nullable().default(null),
  })
  .superRefine((quota, ctx) => {
    if (quota.perDay === null && quota.perMonth === null) {
      ctx.addIssue({ code: 'custom', path: ['perDay'], message: 'give perDay, perMonth or both (or quota: null for none)' });
    }
    if (quota.perDay !== null && quota.perMonth !== null && quota.perDay > quota.perMonth) {
      ctx.addIssue({ code: 'custom', path: ['perDay'], message: 'must not exceed perMonth' });
    }
  });
