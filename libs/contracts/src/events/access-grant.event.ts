import { z } from 'zod';

export const grantStatusSchema = z.enum(['active', 'revoked', 'orphaned']);

/** The current state of one grant (topic key: grant id), for read models outside enforcement. */
export const accessGrantSchema = z.object({
  grantId: z.uuid(),
  principalId: z.uuid(),
  apiId: z.uuid(),
  scopes: z.array(z.string().min(1)),
  status: grantStatusSchema,
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

export type AccessGrant = z.infer<typeof accessGrantSchema>;
export type GrantStatus = z.infer<typeof grantStatusSchema>;
