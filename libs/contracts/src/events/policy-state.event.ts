import { z } from 'zod';

/** A suspended key (its principal left or was suspended) stops working but may be restored after review. */
export const keyStatusSchema = z.enum(['active', 'suspended', 'revoked']);
export const principalStatusSchema = z.enum(['active', 'suspended', 'deleted']);

export const policyKeySchema = z.object({
  keyId: z.uuid(),
  prefix: z.string().min(1),
  /** HMAC-SHA-256 of the key's secret under the server-side pepper, hex. Never the secret itself. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  status: keyStatusSchema,
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});

export const policyGrantSchema = z.object({
  grantId: z.uuid(),
  apiId: z.uuid(),
  scopes: z.array(z.string().min(1)),
});

/**
 * The full compiled policy of one principal (topic key: principal id). Only active grants are listed:
 * a grant that is absent is not granted. `version` only grows; a consumer ignores anything older
 * than what it holds, so a replay can never bring a revoked grant back.
 */
export const policyStateSchema = z.object({
  principalId: z.uuid(),
  status: principalStatusSchema,
  version: z.number().int().nonnegative(),
  keys: z.array(policyKeySchema),
  grants: z.array(policyGrantSchema),
});

export type PolicyState = z.infer<typeof policyStateSchema>;
export type PolicyKey = z.infer<typeof policyKeySchema>;
export type PolicyGrant = z.infer<typeof policyGrantSchema>;
