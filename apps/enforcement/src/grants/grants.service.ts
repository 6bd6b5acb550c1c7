import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessGrant, GrantStatus, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { ApiError } from '../apis/apis.errors';
import { ApisService } from '../apis/apis.service';
import { lifecycleRefusal } from '../apis/domain/api-lifecycle';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/postgres-errors';
import { PolicyPublisher } from '../policy/policy.publisher';
import { StateChangesRepository } from '../policy/state-changes.repository';
import { PrincipalsService } from '../principals/principals.service';
import { UsageRepository } from '../usage/usage.repository';
import { CreateGrantDto } from './dto/create-grant.dto';
import { GrantEntity } from './grants.entity';
import { GrantError } from './grants.errors';
import { GrantsRepository } from './grants.repository';

export interface GrantView {
  id: string;
  principalId: string;
  apiId: string;
  scopes: string[];
  status: GrantStatus;
  /** When its principal left the identity provider and orphaned it; null if never orphaned or since restored. */
  orphanedAt: string | null;
  /** Orphaned but still in effect until a reviewer decides (ORPHANED_ACCESS_MODE=flag). */
  heldPendingReview: boolean;
  createdAt: string;
  updatedAt: string;
  /** When a key last called the API under this grant, from usage-ingest's evidence; null: never seen. */
  lastUsedAt: string | null;
  /** The principal's latest policy version, which holds this grant as it is now (or its absence). */
  policyVersion: number | null;
  /** When every live gateway replica had applied that policy: when a revocation took effect everywhere; null: not yet. */
  enforcedAt: string | null;
}

export type RevokeOutcome = 'revoked' | 'already-revoked';

@Injectable()
export class GrantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantsRepository,
    private readonly principals: PrincipalsService,
    private readonly apis: ApisService,
    private readonly policy: PolicyPublisher,
    private readonly changes: StateChangesRepository,
    private readonly usage: UsageRepository,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateGrantDto): Promise<{ id: string }> {
    const now = new Date();
    const grant: GrantEntity = {
      id: randomUUID(),
      principalId: dto.principalId,
      apiId: dto.apiId,
      scopes: dto.scopes,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
      orphanedAt: null,
      heldPendingReview: false,
    };
    try {
      await this.dataSource.transaction(async (tx) => {
        // The API's share lock before the principal's, the order every grant and key change follows,
        // so a retirement of the API in flight either sees this grant or refuses it.
        const [api] = await this.apis.lockShared(tx, [dto.apiId]);
        await this.principals.requireActive(tx, dto.principalId);
        if (!api) throw new ApiError('APIS.NOT_FOUND', `no API with id ${dto.apiId}`);
        const refusal = lifecycleRefusal({ status: api.status, action: 'grant' });
        if (refusal) throw new ApiError('APIS.RETIRED', `API ${api.id} ${refusal}`);
        const known = new Set(api.routes.map((route) => route.scope));
        const unknown = dto.scopes.filter((scope) => !known.has(scope));
        if (unknown.length > 0) {
          throw new GrantError(
            'GRANTS.UNKNOWN_SCOPE',
            `scopes: ${unknown.join(', ')} not among the scopes of API ${api.id} (${[...known].sort().join(', ')})`,
          );
        }
        if (await this.grants.findActive(tx, { principalId: grant.principalId, apiId: grant.apiId })) {
          throw alreadyGranted(grant);
        }
        await this.grants.insert(tx, grant);
        await this.announce(tx, grant);
        await this.audit.record(tx, {
          actor: ADMIN_ACTOR,
          action: 'grant.created',
          targetType: 'grant',
          targetId: grant.id,
          details: { principalId: grant.principalId, apiId: grant.apiId, scopes: grant.scopes },
        });
      });
    } catch (error) {
      // Two concurrent requests can both pass the check above; the partial unique index decides.
      if (isUniqueViolation(error, 'UQ_grants_active_principal_api')) throw alreadyGranted(grant);
      throw error;
    }
    return { id: grant.id };
  }

  /**
   * Revokes a grant inside the caller's transaction and republishes its principal's policy. A grant
   * that is already revoked is left as it is, so applying the same decision again changes nothing.
   */
  async revoke(tx: EntityManager, grantId: string): Promise<RevokeOutcome> {
    const grant = await this.grants.findForUpdate(tx, grantId);
    if (!grant) throw new GrantError('GRANTS.NOT_FOUND', `no grant with id ${grantId}`);
    if (grant.status === 'revoked') return 'already-revoked';
    const now = new Date();
    const revoked: GrantEntity = { ...grant, status: 'revoked', updatedAt: now, revokedAt: now, heldPendingReview: false };
    await this.grants.save(tx, revoked);
    await this.announce(tx, revoked);
    return 'revoked';
  }

  /**
   * Orphans every active grant of a principal inside the caller's transaction and announces each on
   * access.grants.v1; `held` grants keep working until a reviewer decides. The caller republishes the policy.
   */
  async orphanActive(tx: EntityManager, change: { principalId: string; held: boolean }): Promise<GrantEntity[]> {
    const orphaned = await this.grants.orphanActive(tx, { ...change, at: new Date() });
    for (const grant of orphaned) await this.announceState(tx, grant);
    return orphaned;
  }

  /** Orphaned grants held pending review stop working; the caller republishes the policy. */
  releaseHeld(tx: EntityManager, principalId: string): Promise<number> {
    return this.grants.releaseHeld(tx, principalId);
  }

  /** Announces every orphaned grant of a principal again, so the review-scheduler puts it in front of a reviewer. */
  async republishOrphaned(tx: EntityManager, principalId: string): Promise<GrantEntity[]> {
    const orphaned = await this.grants.findOrphaned(tx, principalId);
    for (const grant of orphaned) await this.announceState(tx, grant);
    return orphaned;
  }

  /**
   * Makes orphaned grants of a principal (all, or the one named) active again and announces each;
   * the caller republishes the policy. A grant whose API the principal meanwhile holds an active
   * grant on stays orphaned.
   */
  async restoreOrphaned(tx: EntityManager, change: { principalId: string; grantId?: string }): Promise<GrantEntity[]> {
    const restored = await this.grants.restoreOrphaned(tx, { ...change, at: new Date() });
    for (const grant of restored) await this.announceState(tx, grant);
    return restored;
  }

  async get(id: string): Promise<GrantView> {
    const grant = await this.grants.findById(id);
    if (!grant) throw new GrantError('GRANTS.NOT_FOUND', `no grant with id ${id}`);
    return (await this.views([grant]))[0];
  }

  /** Principals holding an active or orphaned grant on the API: the ones its retirement changes. */
  holdersOf(tx: EntityManager, apiId: string): Promise<string[]> {
    return this.grants.holdersOf(tx, apiId);
  }

  /**
   * Closes every active or orphaned grant on an API being retired, inside the caller's transaction,
   * and announces each on access.grants.v1; the caller republishes the policies.
   */
  async closeOnApi(tx: EntityManager, change: { apiId: string; at: Date }): Promise<GrantEntity[]> {
    const closed = await this.grants.revokeOnApi(tx, change);
    for (const grant of closed) await this.announceState(tx, grant);
    return closed;
  }

  /** The grant inside the caller's transaction, or null. */
  find(tx: EntityManager, id: string): Promise<GrantEntity | null> {
    return this.grants.findById(id, tx);
  }

  async list(principalId: string): Promise<{ items: GrantView[] }> {
    return { items: await this.views(await this.grants.findByPrincipal(principalId)) };
  }

  /** Grants with their last use and the enforcement of their principal's latest policy, in two statements. */
  private async views(grants: GrantEntity[]): Promise<GrantView[]> {
    const lastUsed = await this.usage.lastUsedByGrant(grants.map((grant) => grant.id));
    const latest = await this.changes.latest({ topic: TOPICS.policyState, subjects: grants.map((grant) => grant.principalId) });
    return grants.map((grant) => viewOf({ grant, lastUsedAt: lastUsed.get(grant.id) ?? null, policy: latest.get(grant.principalId) ?? null }));
  }

  /** Publishes a grant's new state and its principal's recompiled policy. */
  private async announce(tx: EntityManager, grant: GrantEntity): Promise<void> {
    await this.announceState(tx, grant);
    await this.policy.publish(tx, grant.principalId);
  }

  private async announceState(tx: EntityManager, grant: GrantEntity): Promise<void> {
    await this.outbox.add(tx, { topic: TOPICS.accessGrants, key: grant.id, data: accessGrantOf(grant) });
  }
}

function alreadyGranted(grant: GrantEntity): GrantError {
  return new GrantError(
    'GRANTS.ALREADY_GRANTED',
    `principal ${grant.principalId} already holds an active grant on API ${grant.apiId}`,
  );
}

function viewOf(input: {
  grant: GrantEntity;
  lastUsedAt: Date | null;
  policy: { version: number; enforcedAt: string | null } | null;
}): GrantView {
  const { grant } = input;
  return {
    id: grant.id,
    principalId: grant.principalId,
    apiId: grant.apiId,
    scopes: grant.scopes,
    status: grant.status,
    orphanedAt: grant.orphanedAt?.toISOString() ?? null,
    heldPendingReview: grant.heldPendingReview,
    createdAt: grant.createdAt.toISOString(),
    updatedAt: grant.updatedAt.toISOString(),
    lastUsedAt: input.lastUsedAt?.toISOString() ?? null,
    policyVersion: input.policy?.version ?? null,
    enforcedAt: input.policy?.enforcedAt ?? null,
  };
}

function accessGrantOf(grant: GrantEntity): AccessGrant {
  return {
    grantId: grant.id,
    principalId: grant.principalId,
    apiId: grant.apiId,
    scopes: grant.scopes,
    status: grant.status,
    createdAt: grant.createdAt.toISOString(),
    updatedAt: grant.updatedAt.toISOString(),
  };
}
