import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { GrantEntity } from '../grants/grants.entity';
import { ApiKeyEntity } from '../keys/keys.entity';
import { PrincipalStatus } from '../principals/principals.entity';
import { PolicySource } from './domain/compile-policy';

/** Reads what a principal's policy is compiled from, inside the transaction that changed it. */
@Injectable()
export class PolicyRepository {
  /**
   * Bumps the principal's policy version and loads its keys and active grants. The bump takes the
   * principal's row lock, so concurrent changes to one principal compile and publish one at a time.
   */
  async bumpAndLoad(tx: EntityManager, principalId: string): Promise<PolicySource | null> {
    const bumped: Array<{ status: PrincipalStatus; policy_version: number }> = await tx.query(
      `WITH bumped AS (
         UPDATE enforcement.principals SET policy_version = policy_version + 1 WHERE id = $1
         RETURNING status, policy_version
       )
       SELECT status, policy_version FROM bumped`,
      [principalId],
    );
    if (bumped.length === 0) return null;
    const keys = await tx.getRepository(ApiKeyEntity).find({ where: { principalId } });
    const grants = await tx.getRepository(GrantEntity).find({ where: { principalId, status: 'active' } });
    return { principalId, status: bumped[0].status, version: bumped[0].policy_version, keys, grants };
  }
}
