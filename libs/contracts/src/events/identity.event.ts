import { z } from 'zod';

export const identityStatusSchema = z.enum(['active', 'suspended', 'deactivated', 'deleted']);

const principalFactsSchema = z.object({
  principalId: z.uuid(),
  type: z.enum(['user', 'service']),
  displayName: z.string(),
  email: z.email().nullable(),
  status: identityStatusSchema,
  /** The manager's principal id, when the manager is known to Attest. */
  managerId: z.uuid().nullable(),
  department: z.string().nullable(),
  /** The identity provider's own id (Okta user id, SCIM externalId). */
  externalId: z.string().nullable(),
  /** Where the fact came from: `okta`, `scim`, `admin`. */
  source: z.string().min(1),
});

/**
 * A fact about one principal from the identity provider (topic key: principal id, so one person's
 * events stay ordered). Every principal event carries the principal's full current facts.
 */
export const identityEventSchema = z.discriminatedUnion('kind', [
  principalFactsSchema.extend({ kind: z.literal('principal.upserted') }),
  principalFactsSchema.extend({ kind: z.literal('principal.deactivated') }),
  principalFactsSchema.extend({ kind: z.literal('principal.suspended') }),
  principalFactsSchema.extend({ kind: z.literal('principal.reactivated') }),
  principalFactsSchema.extend({ kind: z.literal('principal.deleted') }),
  z.object({
    kind: z.enum(['membership.added', 'membership.removed']),
    principalId: z.uuid(),
    groupId: z.uuid(),
    groupName: z.string(),
    source: z.string().min(1),
  }),
]);

export type IdentityEvent = z.infer<typeof identityEventSchema>;
export type IdentityStatus = z.infer<typeof identityStatusSchema>;
export type PrincipalIdentityEvent = Extract<IdentityEvent, { kind: `principal.${string}` }>;
export type MembershipIdentityEvent = Extract<IdentityEvent, { kind: `membership.${string}` }>;

export function isPrincipalEvent(event: IdentityEvent): event is PrincipalIdentityEvent {
  return event.kind.startsWith('principal.');
}

/** The status an identity event sets: a lifecycle event says it by its kind, an upsert by its facts. */
export function identityStatusOf(event: PrincipalIdentityEvent): IdentityStatus {
  switch (event.kind) {
    case 'principal.deactivated':
      return 'deactivated';
    case 'principal.suspended':
      return 'suspended';
    case 'principal.deleted':
      return 'deleted';
    case 'principal.reactivated':
      return 'active';
    case 'principal.upserted':
      return event.status;
  }
}
