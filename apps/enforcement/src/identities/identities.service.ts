import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Envelope, IdentityEvent, identityStatusOf, isPrincipalEvent, PrincipalIdentityEvent } from '@attest/contracts';
import { AuditService } from '../audit/audit.service';
import { EnforcementConfig } from '../config';
import { GrantEntity } from '../grants/grants.entity';
import { GrantsService } from '../grants/grants.service';
import { KeyRef } from '../keys/keys.repository';
import { KeysService } from '../keys/keys.service';
import { PolicyPublisher } from '../policy/policy.publisher';
import { PrincipalEntity } from '../principals/principals.entity';
import { PrincipalsService } from '../principals/principals.service';
import {
  IdentityTransition,
  isOlderThanApplied,
  OrphanedAccessMode,
  planIdentityTransition,
  principalAuditAction,
} from './domain/identity-transition';

interface AppliedFacts {
  facts: PrincipalIdentityEvent;
  eventId: string;
  occurredAt: Date;
}

interface AccessEffects {
  suspendedKeys: KeyRef[];
  orphanedGrants: GrantEntity[];
  releasedHeldGrants: number;
  flaggedGrants: GrantEntity[];
}

/**
 * Mirrors identity.events.v1 into enforcement's principals (with the identity provider's principal
 * id, so grants and keys can be given to synced people) and closes the access of a principal that
 * is no longer active, in the transaction that records the event as processed.
 */
@Injectable()
export class IdentitiesService {
  private readonly logger = new Logger(IdentitiesService.name);
  private readonly mode: OrphanedAccessMode;

  constructor(
    private readonly principals: PrincipalsService,
    private readonly keys: KeysService,
    private readonly grants: GrantsService,
    private readonly policy: PolicyPublisher,
    private readonly audit: AuditService,
    config: ConfigService<EnforcementConfig, true>,
  ) {
    this.mode = config.get('ORPHANED_ACCESS_MODE', { infer: true });
  }

  async apply(tx: EntityManager, event: Envelope<IdentityEvent>): Promise<void> {
    // Group memberships feed reviewer assignment in the review-scheduler; nothing here depends on them.
    if (!isPrincipalEvent(event.data)) return;
    await this.applyFacts(tx, { facts: event.data, eventId: event.id, occurredAt: new Date(event.occurredAt) });
  }

  private async applyFacts(tx: EntityManager, applied: AppliedFacts): Promise<void> {
    const { facts } = applied;
    const previous = await this.principals.findLocked(tx, facts.principalId);
    if (isOlderThanApplied({ occurredAt: applied.occurredAt, lastAppliedAt: previous?.identityObservedAt ?? null })) {
      this.logger.log(`skipped ${facts.kind} of principal ${facts.principalId}: a newer identity fact is already applied`);
      return;
    }
    const transition = planIdentityTransition({
      previous: previous && { status: previous.status, heldPendingReview: previous.heldPendingReview },
      next: identityStatusOf(facts),
      mode: this.mode,
    });
    const now = new Date();
    const principal: PrincipalEntity = {
      id: facts.principalId,
      type: facts.type,
      displayName: facts.displayName,
      email: facts.email,
      status: transition.status,
      externalId: facts.externalId,
      source: facts.source,
      heldPendingReview: transition.heldPendingReview,
      identityObservedAt: applied.occurredAt,
      policyVersion: previous?.policyVersion ?? 0,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
    if (previous) await this.principals.update(tx, principal);
    else await this.principals.insert(tx, principal);

    const effects = await this.applyTransition(tx, { principalId: principal.id, transition });
    const statusChanged =
      previous === null || previous.status !== principal.status || previous.heldPendingReview !== principal.heldPendingReview;
    const accessChanged = effects.suspendedKeys.length + effects.orphanedGrants.length + effects.releasedHeldGrants > 0;
    // Keys, grants and status are all the gateway sees; a profile change alone needs no new policy version.
    if (statusChanged || accessChanged) await this.policy.publish(tx, principal.id);
    await this.record(tx, { applied, previous, principal, transition, effects, statusChanged, accessChanged });
  }

  private async applyTransition(
    tx: EntityManager,
    input: { principalId: string; transition: IdentityTransition },
  ): Promise<AccessEffects> {
    const { principalId, transition } = input;
    const effects: AccessEffects = { suspendedKeys: [], orphanedGrants: [], releasedHeldGrants: 0, flaggedGrants: [] };
    const close = transition.closeAccess;
    if (close) {
      if (close.suspendActiveKeys) effects.suspendedKeys = await this.keys.suspendActive(tx, principalId);
      effects.orphanedGrants = await this.grants.orphanActive(tx, { principalId, held: close.orphanedGrantsHeld });
      if (close.releaseHeldGrants) effects.releasedHeldGrants = await this.grants.releaseHeld(tx, principalId);
    }
    if (transition.flagOrphanedGrantsForReview) effects.flaggedGrants = await this.grants.republishOrphaned(tx, principalId);
    return effects;
  }

  private async record(
    tx: EntityManager,
    input: {
      applied: AppliedFacts;
      previous: PrincipalEntity | null;
      principal: PrincipalEntity;
      transition: IdentityTransition;
      effects: AccessEffects;
      statusChanged: boolean;
      accessChanged: boolean;
    },
  ): Promise<void> {
    const { applied, previous, principal, transition, effects } = input;
    const actor = `identity:${applied.facts.source}`;
    const reason = `${applied.facts.kind} from ${applied.facts.source}`;
    const trace = { eventId: applied.eventId, principalId: principal.id };
    const action = principalAuditAction({
      transition,
      statusChanged: input.statusChanged,
      accessChanged: input.accessChanged,
      factsChanged: previous === null || factsDiffer(previous, principal),
    });
    if (action) {
      await this.audit.record(tx, {
        actor,
        action,
        targetType: 'principal',
        targetId: principal.id,
        reason,
        details: {
          eventId: applied.eventId,
          externalId: principal.externalId,
          from: previous?.status ?? null,
          to: principal.status,
          heldPendingReview: principal.heldPendingReview,
          ...(transition.closeAccess ? { mode: this.mode } : {}),
          suspendedKeyIds: effects.suspendedKeys.map((key) => key.id),
          orphanedGrantIds: effects.orphanedGrants.map((grant) => grant.id),
          flaggedGrantIds: effects.flaggedGrants.map((grant) => grant.id),
        },
      });
    }
    for (const key of effects.suspendedKeys) {
      await this.audit.record(tx, {
        actor,
        action: 'key.suspended',
        targetType: 'api_key',
        targetId: key.id,
        reason,
        details: { ...trace, prefix: key.prefix },
      });
    }
    for (const grant of effects.orphanedGrants) {
      await this.audit.record(tx, {
        actor,
        action: 'grant.orphaned',
        targetType: 'grant',
        targetId: grant.id,
        reason,
        details: { ...trace, apiId: grant.apiId, mode: this.mode, heldPendingReview: grant.heldPendingReview },
      });
    }
    for (const grant of effects.flaggedGrants) {
      await this.audit.record(tx, {
        actor,
        action: 'grant.flagged-for-review',
        targetType: 'grant',
        targetId: grant.id,
        reason: 'principal reactivated: access stays closed until a reviewer keeps the grant or an admin restores it',
        details: { ...trace, apiId: grant.apiId, heldPendingReview: grant.heldPendingReview },
      });
    }
  }
}

function factsDiffer(previous: PrincipalEntity, next: PrincipalEntity): boolean {
  return (
    previous.type !== next.type ||
    previous.displayName !== next.displayName ||
    previous.email !== next.email ||
    previous.externalId !== next.externalId ||
    previous.source !== next.source
  );
}
