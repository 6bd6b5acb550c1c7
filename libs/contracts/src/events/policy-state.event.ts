import { z } from 'zod';

/** A suspended key (its principal left or was suspended) stops working but may be restored after review. */
export const keyStatusSchema = z.enum(['active', 'suspended', 'revoked']);
export const principalStatusSchema = z.enum(['active', 'suspended', 'deleted']);

/** Token bucket: a sustained rate and how many requests may arrive at once. */
export const rateLimitSchema = z.object({
  requestsPerSecond: z.number().positive(),
  burst: z.number().int().positive(),
});

/** Hard caps per UTC calendar day and month; null means no cap at that period. */
export const quotaSchema = z.object({
  perDay: z.number().int().positive().nullable(),
  perMonth: z.number().int().positive().nullable(),
});

export const policyKeySchema = z.object({
  keyId: z.uuid(),
  prefix: z.string().min(1),
  /** HMAC-SHA-256 of the key's secret under the server-side pepper, hex. Never the secret itself. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  status: keyStatusSchema,
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  /** Narrowing: the key works only on these APIs (null: every API its principal is granted). */
  apiIds: z.array(z.uuid()).nullable().default(null),
  /** Narrowing: the key carries only these scopes (null: every scope its principal is granted). */
  scopes: z.array(z.string().min(1)).nullable().default(null),
  rateLimit: rateLimitSchema.nullable().default(null),
  quota: quotaSchema.nullable().default(null),
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

export type RateLimit = z.infer<typeof rateLimitSchema>;
export type Quota = z.infer<typeof quotaSchema>;
