import { z } from 'zod';
import { quotaInputSchema, rateLimitInputSchema } from '../../apis/dto/limits.dto';

/** An ISO 8601 instant with an offset that is still ahead: a key born expired is a mistake. */
export const futureInstantSchema = z.iso
  .datetime({ offset: true })
  // A malformed value is already reported by the format check; this one speaks only of well-formed ones.
  .refine((value) => Number.isNaN(Date.parse(value)) || Date.parse(value) > Date.now(), { message: 'must be in the future' });

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

export const createKeySchema = z.object({
  principalId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  /** Who answers for the key; defaults to the principal's e-mail. */
  owner: z.email().max(320).optional(),
  expiresAt: futureInstantSchema.optional(),
  /** The key works only on these APIs. */
  apiIds: z.array(z.uuid()).min(1).max(100).transform(distinct).optional(),
  /** The key carries only these scopes. */
  scopes: z.array(z.string().min(1).max(200)).min(1).max(200).transform(distinct).optional(),
  rateLimit: rateLimitInputSchema.optional(),
  quota: quotaInputSchema.optional(),
});

export type CreateKeyDto = z.infer<typeof createKeySchema>;
