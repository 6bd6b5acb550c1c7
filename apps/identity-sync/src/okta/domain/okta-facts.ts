import { z } from 'zod';
import type { IdentityStatus } from '@attest/contracts';

/** The parts of an Okta user (SDK model or Event Hook JSON) the mirror reads. */
export interface OktaUserLike {
  id?: string;
  status?: string;
  lastUpdated?: Date | string | null;
  profile?: {
    login?: string | null;
    email?: string | null;
    firstName?: string | null;
    lastName?: string | null;
    displayName?: string | null;
    department?: string | null;
    title?: string | null;
    managerId?: unknown;
  } | null;
}

export interface OktaGroupLike {
  id?: string;
  lastUpdated?: Date | string | null;
  profile?: { name?: string | null; description?: string | null } | null;
}

/** What one Okta user says about a person, before it is matched to an Attest principal. */
export interface OktaUserFacts {
  oktaId: string;
  userName: string;
  email: string | null;
  displayName: string;
  givenName: string | null;
  familyName: string | null;
  title: string | null;
  department: string | null;
  managerOktaId: string | null;
  status: IdentityStatus;
  oktaStatus: string;
  oktaLastUpdated: Date | null;
}

export interface OktaGroupFacts {
  oktaId: string;
  displayName: string;
  description: string | null;
  oktaLastUpdated: Date | null;
}

const email = z.email();

/**
 * Okta's user statuses folded into Attest's: a user who can still (or will soon) sign in is active; SUSPENDED
 * keeps the account but blocks it; DEPROVISIONED is Okta's "deactivated". Deletion is absence (a 404).
 */
export function identityStatusOf(oktaStatus: string): IdentityStatus {
  switch (oktaStatus) {
    case 'SUSPENDED':
      return 'suspended';
    case 'DEPROVISIONED':
      return 'deactivated';
    default:
      // STAGED, PROVISIONED, ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT: the person still belongs to the org.
      return 'active';
  }
}

export function oktaUserFacts(user: OktaUserLike): OktaUserFacts {
  if (!user.id) throw new Error('an Okta user without an id');
  const profile = user.profile ?? {};
  const login = text(profile.login) ?? user.id;
  const givenName = text(profile.firstName);
  const familyName = text(profile.lastName);
  const oktaStatus = user.status ?? 'ACTIVE';
  return {
    oktaId: user.id,
    userName: login,
    // An address the contract would refuse travels as "unknown" rather than poisoning the event.
    email: validEmail(text(profile.email)) ?? validEmail(login),
    displayName: text(profile.displayName) ?? ([givenName, familyName].filter(Boolean).join(' ') || login),
    givenName,
    familyName,
    title: text(profile.title),
    department: text(profile.department),
    managerOktaId: typeof profile.managerId === 'string' ? text(profile.managerId) : null,
    status: identityStatusOf(oktaStatus),
    oktaStatus,
    oktaLastUpdated: timestamp(user.lastUpdated),
  };
}

export function oktaGroupFacts(group: OktaGroupLike): OktaGroupFacts {
  if (!group.id) throw new Error('an Okta group without an id');
  return {
    oktaId: group.id,
    displayName: text(group.profile?.name) ?? group.id,
    description: text(group.profile?.description),
    oktaLastUpdated: timestamp(group.lastUpdated),
  };
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function validEmail(value: string | null): string | null {
  return value !== null && email.safeParse(value).success ? value : null;
}

function timestamp(value: Date | string | null | undefined): Date | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
