import type { IdentityStatus } from '@attest/contracts';

/**
 * What happens to a principal's access when the identity provider says it is no longer active.
 * `suspend`: its keys stop working and its grants are orphaned at once (safe, but a mistaken
 * deprovisioning cuts a service off until someone restores it). `flag`: grants are orphaned and put in
 * front of a reviewer while keys and grants keep working (no outage, but a departed person's
 * credentials stay usable until a reviewer acts).
 */
export type OrphanedAccessMode = 'suspend' | 'flag';

export const ORPHANED_ACCESS_MODES = ['suspend', 'flag'] as const satisfies readonly OrphanedAccessMode[];

export interface PrincipalLifecycleState {
  status: IdentityStatus;
  /** Inactive at the identity provider, but access held pending review ('flag' mode). */
  heldPendingReview: boolean;
}

export interface IdentityTransitionInput {
  /** The principal as enforcement holds it, or null when the identity provider announces a new one. */
  previous: PrincipalLifecycleState | null;
  next: IdentityStatus;
  mode: OrphanedAccessMode;
}

export interface CloseAccess {
  /** Active keys become 'suspended' (the gateway answers 401). */
  suspendActiveKeys: boolean;
  /** Active grants become 'orphaned'; `true` here means they keep working until a reviewer decides. */
  orphanedGrantsHeld: boolean;
  /** Grants orphaned earlier under 'flag' stop working now. */
  releaseHeldGrants: boolean;
}

export type IdentityChange = 'created' | 'unchanged' | 'closed' | 'reactivated';

export interface IdentityTransition {
  change: IdentityChange;
  status: IdentityStatus;
  heldPendingReview: boolean;
  /** What to do to the access the principal still holds, or null to leave it as it is. */
  closeAccess: CloseAccess | null;
  /** Reactivation never restores access: the orphaned grants are put in front of a reviewer instead. */
  flagOrphanedGrantsForReview: boolean;
}

export function isActive(status: IdentityStatus): boolean {
  return status === 'active';
}

/**
 * True when an event happened before the newest one already applied to the principal: a replay, or
 * a full sync racing a webhook, must never overwrite a newer fact. Equal times apply (idempotent).
 */
export function isOlderThanApplied(input: { occurredAt: Date; lastAppliedAt: Date | null }): boolean {
  return input.lastAppliedAt !== null && input.occurredAt.getTime() < input.lastAppliedAt.getTime();
}

/**
 * The rules of orphaned access. Losing effect is immediate and applies to whatever access is still
 * open (a key created while the principal was inactive is suspended by the next event); coming back
 * never restores anything by itself, and 'flag' mode never reopens access that was already cut.
 */
export function planIdentityTransition(input: IdentityTransitionInput): IdentityTransition {
  const { previous, next, mode } = input;
  if (previous === null) {
    // A new principal holds no keys or grants yet, so there is nothing to close.
    return { change: 'created', status: next, heldPendingReview: false, closeAccess: null, flagOrphanedGrantsForReview: false };
  }
  if (isActive(next)) {
    const reactivated = !isActive(previous.status);
    return {
      change: reactivated ? 'reactivated' : 'unchanged',
      status: next,
      heldPendingReview: false,
      closeAccess: null,
      flagOrphanedGrantsForReview: reactivated,
    };
  }
  const change: IdentityChange = isActive(previous.status) ? 'closed' : 'unchanged';
  const held = mode === 'flag' && (isActive(previous.status) || previous.heldPendingReview);
  return {
    change,
    status: next,
    heldPendingReview: held,
    closeAccess: { suspendActiveKeys: !held, orphanedGrantsHeld: held, releaseHeldGrants: !held },
    flagOrphanedGrantsForReview: false,
  };
}

/** A reviewer's `keep` on an orphaned grant restores it; the keys come back only for an active principal. */
export function keepRestores(principalStatus: IdentityStatus): { grant: true; keys: boolean } {
  return { grant: true, keys: isActive(principalStatus) };
}

/**
 * The audit action for the principal itself, or null when the event changed nothing (a repeated
 * fact). Lifecycle changes are named after the new status so the audit trail reads like the IdP's.
 */
export function principalAuditAction(input: {
  transition: IdentityTransition;
  factsChanged: boolean;
  accessChanged: boolean;
  statusChanged: boolean;
}): string | null {
  const { transition } = input;
  switch (transition.change) {
    case 'created':
      return 'principal.synced';
    case 'reactivated':
      return 'principal.reactivated';
    case 'closed':
      return `principal.${transition.status}`;
    case 'unchanged':
      if (!isActive(transition.status) && (input.statusChanged || input.accessChanged)) return `principal.${transition.status}`;
      return input.factsChanged || input.statusChanged ? 'principal.updated' : null;
  }
}
