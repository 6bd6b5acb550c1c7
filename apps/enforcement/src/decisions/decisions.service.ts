import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ReviewDecision } from '@attest/contracts';
import { UnprocessableEventError } from '@attest/messaging';
import { assertUnreachable } from '@attest/platform';
import { AuditService } from '../audit/audit.service';
import { GrantsService } from '../grants/grants.service';

/** Applies reviewers' decisions: `revoke` revokes the grant and republishes the policy, `keep` is recorded. */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly grants: GrantsService,
    private readonly audit: AuditService,
  ) {}

  async apply(tx: EntityManager, decision: ReviewDecision): Promise<void> {
    const grant = await this.grants.find(tx, decision.grantId);
    if (!grant) {
      throw new UnprocessableEventError(`decision ${decision.decisionId} names unknown grant ${decision.grantId}`);
    }
    let effect: string;
    switch (decision.decision) {
      case 'revoke':
        effect = await this.grants.revoke(tx, grant.id);
        break;
      case 'keep':
        effect = 'kept';
        break;
      default:
        return assertUnreachable(decision.decision);
    }
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
        effect,
      },
    });
  }
}
