import type { IdentityStatus, PrincipalIdentityEvent } from '@attest/contracts';

/** Where a change to the directory came from; it travels as the identity event's `source`. */
export type DirectorySource = 'okta' | 'scim';

/** One person (or service) as the mirror stores it. The `id` is the Attest principal id every service shares. */
export interface PrincipalRecord {
  id: string;
  type: 'user' | 'service';
  userName: string;
  email: string | null;
  displayName: string;
  givenName: string | null;
  familyName: string | null;
  title: string | null;
  department: string | null;
  status: IdentityStatus;
  managerPrincipalId: string | null;
  /** The manager as the identity provider names them, kept so a manager synced later can still be linked. */
  managerOktaId: string | null;
  oktaId: string | null;
  oktaStatus: string | null;
  /** Okta's own `lastUpdated`: an older copy of a user (a slow sync page) never overwrites a newer one. */
  oktaLastUpdated: Date | null;
  scimManaged: boolean;
  scimExternalId: string | null;
}

/** The facts every identity event carries about a principal. */
export interface PrincipalFacts {
  principalId: string;
  type: 'user' | 'service';
  displayName: string;
  email: string | null;
  status: IdentityStatus;
  managerId: string | null;
  department: string | null;
  externalId: string | null;
}

export type PrincipalEventKind = PrincipalIdentityEvent['kind'];

const FACT_KEYS = ['type', 'displayName', 'email', 'status', 'managerId', 'department', 'externalId'] as const;
const RECORD_KEYS = [
  'type',
  'userName',
  'email',
  'displayName',
  'givenName',
  'familyName',
  'title',
  'department',
  'status',
  'managerPrincipalId',
  'managerOktaId',
  'oktaId',
  'oktaStatus',
  'scimManaged',
  'scimExternalId',
] as const;

export function principalFacts(record: PrincipalRecord): PrincipalFacts {
  return {
    principalId: record.id,
    type: record.type,
    displayName: record.displayName,
    email: record.email,
    status: record.status,
    managerId: record.managerPrincipalId,
    department: record.department,
    // The Okta id wins when both exist, so a principal linked from both sides keeps one stable external id.
    externalId: record.oktaId ?? record.scimExternalId,
  };
}

/** True when a stored column differs, i.e. the row must be written (even when no published fact changed). */
export function recordChanged(before: PrincipalRecord, after: PrincipalRecord): boolean {
  return (
    RECORD_KEYS.some((key) => before[key] !== after[key]) ||
    (before.oktaLastUpdated?.getTime() ?? null) !== (after.oktaLastUpdated?.getTime() ?? null)
  );
}

/**
 * The identity event a change to a principal announces, or null when no published fact changed (so a
 * re-sync of unchanged users publishes nothing). A status move names the lifecycle step; anything else is an upsert.
 */
export function principalEventKind(before: PrincipalFacts | null, after: PrincipalFacts): PrincipalEventKind | null {
  if (before && FACT_KEYS.every((key) => before[key] === after[key])) return null;
  if (before === null) return after.status === 'active' ? 'principal.upserted' : statusEventKind(after.status);
  if (before.status === after.status) return 'principal.upserted';
  return statusEventKind(after.status);
}

function statusEventKind(status: IdentityStatus): PrincipalEventKind {
  switch (status) {
    case 'active':
      return 'principal.reactivated';
    case 'suspended':
      return 'principal.suspended';
    case 'deactivated':
      return 'principal.deactivated';
    case 'deleted':
      return 'principal.deleted';
  }
}
