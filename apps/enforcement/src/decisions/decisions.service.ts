import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ReviewDecision } from '@attest/contracts';
import { UnprocessableEventError } from '@attest/messaging';
import { assertUnreachable } from '@attest/platform';
import { AccessRestorationService } from '../access-restoration/access-restoration.service';
import { AuditService } from '../audit/audit.service';
import { GrantEntity } from '../grants/grants.entity';
import { GrantsService } from '../grants/grants.service';
import { PrincipalsService } from '../principals/principals.service';

/**
 * Applies reviewers' decisions: `revoke` revokes the grant and republishes the policy; `keep` on an
 * orphaned grant restores it (and the keys of an active principal); `keep` otherwise is recorded.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly grants: GrantsService,
    private readonly principals: PrincipalsService,
    private readonly restoration: AccessRestorationService,
    private readonly audit: AuditService,
  ) {}

  async apply(tx: EntityManager, decision: ReviewDecision): Promise<void> {
    const found = await this.grants.find(tx, decision.grantId);
    if (!found) {
      throw new UnprocessableEventError(`decision ${decision.decisionId} names unknown grant ${decision.grantId}`);
    }
    // The principal's lock first, as lifecycle events take it, then the grant as it is under that lock.
    await this.principals.lock(tx, found.principalId);
    const grant = (await this.grants.find(tx, found.id))!;
    const outcome = await this.effectOf(tx, { decision, grant });
    await this.audit.record(tx, {
      actor: decision.reviewer,
      action: `decision.${decision.decision}`,
      targetType: 'grant',
      targetId: grant.id,
      reason: decision.reason,
      details: {
        decisionId: decision.decisionId,
        principalId: grant.principalId,
        apiId: grant.apiId,
        decidedAt: decision.decidedAt,
        ...outcome,
      },
    });
  }

  private async effectOf(
    tx: EntityManager,
    input: { decision: ReviewDecision; grant: GrantEntity },
  ): Promise<{ effect: string; restoredKeyIds?: string[] }> {
    const { decision, grant } = input;
    switch (decision.decision) {
      case 'revoke':
        return { effect: await this.grants.revoke(tx, grant.id) };
      case 'keep':
        if (grant.status !== 'orphaned') return { effect: 'kept' };
        return this.restoration.keepOrphanedGrant(tx, {
          grant,
          reviewer: decision.reviewer,
          reason: decision.reason,
          decisionId: decision.decisionId,
        });
      default:
        return assertUnreachable(decision.decision);
    }
  }
}
