import type { IdentityStatus } from '@attest/contracts';
import {
  isOlderThanApplied,
  keepRestores,
  planIdentityTransition,
  principalAuditAction,
} from './identity-transition';

const INACTIVE: IdentityStatus[] = ['suspended', 'deactivated', 'deleted'];

describe('isOlderThanApplied', () => {
  const applied = new Date('2030-01-02T00:00:00Z');
  it('skips an event older than the newest applied one, and applies an equal or newer one', () => {
    expect(isOlderThanApplied({ occurredAt: new Date('2030-01-01T00:00:00Z'), lastAppliedAt: applied })).toBe(true);
    expect(isOlderThanApplied({ occurredAt: applied, lastAppliedAt: applied })).toBe(false);
    expect(isOlderThanApplied({ occurredAt: new Date('2030-01-03T00:00:00Z'), lastAppliedAt: applied })).toBe(false);
    expect(isOlderThanApplied({ occurredAt: applied, lastAppliedAt: null })).toBe(false);
  });
});

describe('planIdentityTransition', () => {
  it('creates a new principal with nothing to close, whatever its status', () => {
    for (const next of ['active', ...INACTIVE] as IdentityStatus[]) {
      expect(planIdentityTransition({ previous: null, next, mode: 'suspend' })).toEqual({
        change: 'created',
        status: next,
        heldPendingReview: false,
        closeAccess: null,
        flagOrphanedGrantsForReview: false,
      });
    }
  });

  it.each(INACTIVE)('suspend mode: an active principal becoming %s has its keys suspended and grants orphaned at once', (next) => {
    expect(planIdentityTransition({ previous: { status: 'active', heldPendingReview: false }, next, mode: 'suspend' })).toEqual({
      change: 'closed',
      status: next,
      heldPendingReview: false,
      closeAccess: { suspendActiveKeys: true, orphanedGrantsHeld: false, releaseHeldGrants: true },
      flagOrphanedGrantsForReview: false,
    });
  });

  it.each(INACTIVE)('flag mode: an active principal becoming %s keeps its keys, and its orphaned grants keep working', (next) => {
    expect(planIdentityTransition({ previous: { status: 'active', heldPendingReview: false }, next, mode: 'flag' })).toEqual({
      change: 'closed',
      status: next,
      heldPendingReview: true,
      closeAccess: { suspendActiveKeys: false, orphanedGrantsHeld: true, releaseHeldGrants: false },
      flagOrphanedGrantsForReview: false,
    });
  });

  it('an inactive principal staying inactive still has any access opened meanwhile closed', () => {
    const plan = planIdentityTransition({ previous: { status: 'suspended', heldPendingReview: false }, next: 'deleted', mode: 'suspend' });
    expect(plan.change).toBe('unchanged');
    expect(plan.status).toBe('deleted');
    expect(plan.closeAccess).toEqual({ suspendActiveKeys: true, orphanedGrantsHeld: false, releaseHeldGrants: true });
  });

  it('switching to suspend mode cuts access that flag mode held', () => {
    const plan = planIdentityTransition({ previous: { status: 'deactivated', heldPendingReview: true }, next: 'deleted', mode: 'suspend' });
    expect(plan.heldPendingReview).toBe(false);
    expect(plan.closeAccess).toEqual({ suspendActiveKeys: true, orphanedGrantsHeld: false, releaseHeldGrants: true });
  });

  it('flag mode never reopens access that was already cut', () => {
    const plan = planIdentityTransition({ previous: { status: 'deactivated', heldPendingReview: false }, next: 'deleted', mode: 'flag' });
    expect(plan.heldPendingReview).toBe(false);
    expect(plan.closeAccess).toEqual({ suspendActiveKeys: true, orphanedGrantsHeld: false, releaseHeldGrants: true });
  });

  it('flag mode keeps holding access it held', () => {
    const plan = planIdentityTransition({ previous: { status: 'deactivated', heldPendingReview: true }, next: 'deleted', mode: 'flag' });
    expect(plan.heldPendingReview).toBe(true);
    expect(plan.closeAccess).toEqual({ suspendActiveKeys: false, orphanedGrantsHeld: true, releaseHeldGrants: false });
  });

  it.each(['suspend', 'flag'] as const)('%s mode: reactivation restores nothing and flags the orphaned grants for review', (mode) => {
    for (const status of INACTIVE) {
      for (const heldPendingReview of [false, true]) {
        expect(planIdentityTransition({ previous: { status, heldPendingReview }, next: 'active', mode })).toEqual({
          change: 'reactivated',
          status: 'active',
          heldPendingReview: false,
          closeAccess: null,
          flagOrphanedGrantsForReview: true,
        });
      }
    }
  });

  it('an active principal staying active changes no access', () => {
    expect(planIdentityTransition({ previous: { status: 'active', heldPendingReview: false }, next: 'active', mode: 'suspend' })).toEqual({
      change: 'unchanged',
      status: 'active',
      heldPendingReview: false,
      closeAccess: null,
      flagOrphanedGrantsForReview: false,
    });
  });
});

describe('keepRestores', () => {
  it('restores the grant always, and the keys only for an active principal', () => {
    expect(keepRestores('active')).toEqual({ grant: true, keys: true });
    for (const status of INACTIVE) expect(keepRestores(status)).toEqual({ grant: true, keys: false });
  });
});

describe('principalAuditAction', () => {
  const plan = (previous: IdentityStatus | null, next: IdentityStatus) =>
    planIdentityTransition({ previous: previous && { status: previous, heldPendingReview: false }, next, mode: 'suspend' });
  const quiet = { factsChanged: false, accessChanged: false, statusChanged: false };

  it('names lifecycle changes after the new status', () => {
    expect(principalAuditAction({ ...quiet, transition: plan(null, 'active') })).toBe('principal.synced');
    expect(principalAuditAction({ ...quiet, statusChanged: true, transition: plan('active', 'deactivated') })).toBe('principal.deactivated');
    expect(principalAuditAction({ ...quiet, statusChanged: true, transition: plan('suspended', 'deleted') })).toBe('principal.deleted');
    expect(principalAuditAction({ ...quiet, statusChanged: true, transition: plan('deleted', 'active') })).toBe('principal.reactivated');
  });

  it('records a profile change, and nothing for a repeated fact', () => {
    expect(principalAuditAction({ ...quiet, factsChanged: true, transition: plan('active', 'active') })).toBe('principal.updated');
    expect(principalAuditAction({ ...quiet, transition: plan('active', 'active') })).toBeNull();
    expect(principalAuditAction({ ...quiet, transition: plan('deactivated', 'deactivated') })).toBeNull();
  });

  it('records access closed on a principal that was already inactive', () => {
    expect(principalAuditAction({ ...quiet, accessChanged: true, transition: plan('deactivated', 'deactivated') })).toBe('principal.deactivated');
  });
});
