import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { GrantEntity } from '../grants/grants.entity';
import { GrantsService } from '../grants/grants.service';
import { isActive, keepRestores } from '../identities/domain/identity-transition';
import { KeyRef } from '../keys/keys.repository';
import { KeysService } from '../keys/keys.service';
import { PolicyPublisher } from '../policy/policy.publisher';
import { PrincipalError } from '../principals/principals.errors';
import { PrincipalsService } from '../principals/principals.service';

export interface RestoredAccess {
  principalId: string;
  restoredKeyIds: string[];
  restoredGrantIds: string[];
}

/** `restored`: the grant is active again; `superseded`: the principal meanwhile got another active grant on that API. */
export type KeepOrphanedEffect = 'restored' | 'superseded';

/**
 * The only ways access closed by the identity lifecycle comes back: an admin restoring an active
 * principal, or a reviewer keeping an orphaned grant. Nothing is restored by the identity provider alone.
 */
@Injectable()
export class AccessRestorationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalsService,
    private readonly keys: KeysService,
    private readonly grants: GrantsService,
    private readonly policy: PolicyPublisher,
    private readonly audit: AuditService,
  ) {}

  /** Restores every suspended key and orphaned grant of an active principal. */
  async restorePrincipal(input: { principalId: string; reason: string }): Promise<RestoredAccess> {
    return this.dataSource.transaction(async (tx) => {
      const principal = await this.principals.lock(tx, input.principalId);
      if (!isActive(principal.status)) {
        throw new PrincipalError(
          'PRINCIPALS.NOT_ACTIVE',
          `principal ${principal.id} is ${principal.status} at the identity provider; only an active principal's access can be restored`,
        );
      }
      const keys = await this.keys.restoreSuspended(tx, principal.id);
      const grants = await this.grants.restoreOrphaned(tx, { principalId: principal.id });
      if (keys.length + grants.length > 0) await this.policy.publish(tx, principal.id);
      const restored = { principalId: principal.id, restoredKeyIds: keys.map((key) => key.id), restoredGrantIds: grants.map((grant) => grant.id) };
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'principal.access-restored',
        targetType: 'principal',
        targetId: principal.id,
        reason: input.reason,
        details: { restoredKeyIds: restored.restoredKeyIds, restoredGrantIds: restored.restoredGrantIds },
      });
      await this.recordRestored(tx, { actor: ADMIN_ACTOR, reason: input.reason, principalId: principal.id, keys, grants });
      return restored;
    });
  }

  /**
   * A reviewer's `keep` on an orphaned grant, inside the decision's transaction (which holds the
   * principal's lock): the grant becomes active, and the principal's suspended keys too if it is active.
   */
  async keepOrphanedGrant(
    tx: EntityManager,
    input: { grant: GrantEntity; reviewer: string; reason: string; decisionId: string },
  ): Promise<{ effect: KeepOrphanedEffect; restoredKeyIds: string[] }> {
    const principal = await this.principals.require(input.grant.principalId, tx);
    const restores = keepRestores(principal.status);
    const grants = await this.grants.restoreOrphaned(tx, { principalId: principal.id, grantId: input.grant.id });
    const keys = restores.keys ? await this.keys.restoreSuspended(tx, principal.id) : [];
    if (keys.length + grants.length > 0) await this.policy.publish(tx, principal.id);
    await this.recordRestored(tx, {
      actor: input.reviewer,
      reason: input.reason,
      principalId: principal.id,
      keys,
      grants,
      decisionId: input.decisionId,
    });
    return { effect: grants.length > 0 ? 'restored' : 'superseded', restoredKeyIds: keys.map((key) => key.id) };
  }

  private async recordRestored(
    tx: EntityManager,
    input: { actor: string; reason: string; principalId: string; keys: KeyRef[]; grants: GrantEntity[]; decisionId?: string },
  ): Promise<void> {
    const trace = { principalId: input.principalId, ...(input.decisionId ? { decisionId: input.decisionId } : {}) };
    for (const key of input.keys) {
      await this.audit.record(tx, {
        actor: input.actor,
        action: 'key.restored',
        targetType: 'api_key',
        targetId: key.id,
        reason: input.reason,
        details: { ...trace, prefix: key.prefix },
      });
    }
    for (const grant of input.grants) {
      await this.audit.record(tx, {
        actor: input.actor,
        action: 'grant.restored',
        targetType: 'grant',
        targetId: grant.id,
        reason: input.reason,
        details: { ...trace, apiId: grant.apiId },
      });
    }
  }
}
