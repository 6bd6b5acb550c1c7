import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { GrantEntity } from '../grants/grants.entity';
import { ApiKeyEntity } from '../keys/keys.entity';
import { PrincipalStatus } from '../principals/principals.entity';
import { PolicySource, policyStatusOf } from './domain/compile-policy';

/** Reads what a principal's policy is compiled from, inside the transaction that changed it. */
@Injectable()
export class PolicyRepository {
  /**
   * Bumps the principal's policy version and loads its keys and the grants that may be in effect.
   * The bump takes the principal's row lock, so concurrent changes to one principal compile and
   * publish one at a time.
   */
  async bumpAndLoad(tx: EntityManager, principalId: string): Promise<PolicySource | null> {
    const bumped: Array<{ status: PrincipalStatus; held_pending_review: boolean; policy_version: number }> = await tx.query(
      // Wrapped in a CTE so the driver returns the rows themselves, not [rows, count] as for a bare UPDATE.
      `WITH bumped AS (
         UPDATE enforcement.principals SET policy_version = policy_version + 1 WHERE id = $1
         RETURNING status, held_pending_review, policy_version
       )
       SELECT status, held_pending_review, policy_version FROM bumped`,
      [principalId],
    );
    if (bumped.length === 0) return null;
    const [principal] = bumped;
    const keys = await tx.getRepository(ApiKeyEntity).find({ where: { principalId } });
    const grants = await tx.getRepository(GrantEntity).find({ where: { principalId, status: In(['active', 'orphaned']) } });
    return {
      principalId,
      status: policyStatusOf({ status: principal.status, heldPendingReview: principal.held_pending_review }),
      version: principal.policy_version,
      keys,
      grants,
    };
  }
}
