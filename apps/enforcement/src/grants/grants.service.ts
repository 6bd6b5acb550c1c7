import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessGrant, GrantStatus, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { ApisService } from '../apis/apis.service';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/postgres-errors';
import { PolicyPublisher } from '../policy/policy.publisher';
import { PrincipalsService } from '../principals/principals.service';
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
  createdAt: string;
  updatedAt: string;
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
    };
    try {
      await this.dataSource.transaction(async (tx) => {
        await this.principals.require(dto.principalId, tx);
        const api = await this.apis.require(dto.apiId, tx);
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
    const revoked: GrantEntity = { ...grant, status: 'revoked', updatedAt: now, revokedAt: now };
    await this.grants.save(tx, revoked);
    await this.announce(tx, revoked);
    return 'revoked';
  }

  async get(id: string): Promise<GrantView> {
    const grant = await this.grants.findById(id);
    if (!grant) throw new GrantError('GRANTS.NOT_FOUND', `no grant with id ${id}`);
    return viewOf(grant);
  }

  /** The grant inside the caller's transaction, or null. */
  find(tx: EntityManager, id: string): Promise<GrantEntity | null> {
    return this.grants.findById(id, tx);
  }

  async list(principalId: string): Promise<{ items: GrantView[] }> {
    return { items: (await this.grants.findByPrincipal(principalId)).map(viewOf) };
  }

  /** Publishes a grant's new state and its principal's recompiled policy. */
  private async announce(tx: EntityManager, grant: GrantEntity): Promise<void> {
    await this.outbox.add(tx, { topic: TOPICS.accessGrants, key: grant.id, data: accessGrantOf(grant) });
    await this.policy.publish(tx, grant.principalId);
  }
}

function alreadyGranted(grant: GrantEntity): GrantError {
  return new GrantError(
    'GRANTS.ALREADY_GRANTED',
    `principal ${grant.principalId} already holds an active grant on API ${grant.apiId}`,
  );
}

function viewOf(grant: GrantEntity): GrantView {
  return {
    id: grant.id,
    principalId: grant.principalId,
    apiId: grant.apiId,
    scopes: grant.scopes,
    status: grant.status,
    createdAt: grant.createdAt.toISOString(),
    updatedAt: grant.updatedAt.toISOString(),
  };
}

function accessGrantOf(grant: GrantEntity): AccessGrant {
  const { id: grantId, ...view } = viewOf(grant);
  return { grantId, ...view };
}
