import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { GrantEntity } from '../grants/grants.entity';
import { ApiKeyEntity } from '../keys/keys.entity';
import { PrincipalStatus } from '../principals/principals.entity';
import { PolicySource, policyStatusOf } from './domain/compile-policy';

interface PrincipalPolicyRow {
  id: string;
  status: PrincipalStatus;
  held_pending_review: boolean;
  policy_version: number;
}

/** Reads what a principal's policy is compiled from, inside the transaction that changed it. */
@Injectable()
export class PolicyRepository {
  /**
   * Bumps the principal's policy version and loads its keys and the grants that may be in effect.
   * The bump takes the principal's row lock, so concurrent changes to one principal compile and
   * publish one at a time. `above` lifts the new version past one seen elsewhere (a topic holding a
   * version this database never issued), so the gateways take the republished state.
   */
  async bumpAndLoad(tx: EntityManager, bump: { principalId: string; above?: number }): Promise<PolicySource | null> {
    const bumped: PrincipalPolicyRow[] = await tx.query(
      // Wrapped in a CTE so the driver returns the rows themselves, not [rows, count] as for a bare UPDATE.
      `WITH bumped AS (
         UPDATE enforcement.principals SET policy_version = greatest(policy_version, $2) + 1 WHERE id = $1
         RETURNING id, status, held_pending_review, policy_version
       )
       SELECT id, status, held_pending_review, policy_version FROM bumped`,
      [bump.principalId, bump.above ?? 0],
    );
    if (bumped.length === 0) return null;
    const keys = await tx.getRepository(ApiKeyEntity).find({ where: { principalId: bump.principalId } });
    const grants = await tx.getRepository(GrantEntity).find({ where: { principalId: bump.principalId, status: In(['active', 'orphaned']) } });
    return sourceOf({ principal: bumped[0], keys, grants });
  }

  /**
   * What every principal's policy compiles from now, with its current version, in three statements:
   * the reconciler's desired state. Run it inside a REPEATABLE READ transaction for one snapshot.
   */
  async loadAll(tx: EntityManager): Promise<PolicySource[]> {
    const principals: PrincipalPolicyRow[] = await tx.query(
      `SELECT id, status, held_pending_review, policy_version FROM enforcement.principals ORDER BY id`,
    );
    const keys = await tx.getRepository(ApiKeyEntity).find();
    const grants = await tx.getRepository(GrantEntity).find({ where: { status: In(['active', 'orphaned']) } });
    const keysOf = groupBy(keys, (key) => key.principalId);
    const grantsOf = groupBy(grants, (grant) => grant.principalId);
    return principals.map((principal) =>
      sourceOf({ principal, keys: keysOf.get(principal.id) ?? [], grants: grantsOf.get(principal.id) ?? [] }),
    );
  }
}

function sourceOf(input: { principal: PrincipalPolicyRow; keys: ApiKeyEntity[]; grants: GrantEntity[] }): PolicySource {
  const { principal } = input;
  return {
    principalId: principal.id,
    status: policyStatusOf({ status: principal.status, heldPendingReview: principal.held_pending_review }),
    version: principal.policy_version,
    keys: input.keys,
    grants: input.grants,
  };
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}
