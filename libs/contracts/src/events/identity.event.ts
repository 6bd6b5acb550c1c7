import { z } from 'zod';

export const identityEventKindSchema = z.enum([
  'principal.upserted',
  'principal.deactivated',
  'principal.suspended',
  'principal.reactivated',
  'principal.deleted',
]);

/** A fact about one principal from the identity provider (topic key: principal id). */
export const identityEventSchema = z.object({
  kind: identityEventKindSchema,
  principalId: z.uuid(),
  type: z.enum(['user', 'service']),
  displayName: z.string(),
  email: z.email().nullable(),
  status: z.enum(['active', 'suspended', 'deactivated', 'deleted']),
  managerId: z.uuid().nullable(),
  externalId: z.string().nullable(),
  source: z.string().min(1),
});

export type IdentityEvent = z.infer<typeof identityEventSchema>;
