import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { PolicyPublisher } from '../policy/policy.publisher';
import { CreatePrincipalDto } from './dto/create-principal.dto';
import { PrincipalEntity, PrincipalStatus, PrincipalType } from './principals.entity';
import { PrincipalError } from './principals.errors';
import { PrincipalsRepository } from './principals.repository';

export interface PrincipalView {
  id: string;
  type: PrincipalType;
  displayName: string;
  email: string | null;
  status: PrincipalStatus;
  externalId: string | null;
  source: string;
  /** Inactive at the identity provider but access held pending review (ORPHANED_ACCESS_MODE=flag). */
  heldPendingReview: boolean;
  policyVersion: number;
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class PrincipalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalsRepository,
    private readonly policy: PolicyPublisher,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreatePrincipalDto): Promise<{ id: string }> {
    const now = new Date();
    const principal: PrincipalEntity = {
      id: randomUUID(),
      type: dto.type,
      displayName: dto.displayName,
      email: dto.email ?? null,
      status: 'active',
      externalId: null,
      source: 'admin',
      heldPendingReview: false,
      identityObservedAt: null,
      policyVersion: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.dataSource.transaction(async (tx) => {
      await this.principals.insert(tx, principal);
      // An empty policy is published too, so the gateway knows the principal exists and holds nothing.
      await this.policy.publish(tx, principal.id);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'principal.created',
        targetType: 'principal',
        targetId: principal.id,
        details: { type: principal.type, displayName: principal.displayName },
      });
    });
    return { id: principal.id };
  }

  async get(id: string): Promise<PrincipalView> {
    return viewOf(await this.require(id));
  }

  async findByEmail(email: string): Promise<{ items: PrincipalView[] }> {
    return { items: (await this.principals.findByEmail(email)).map(viewOf) };
  }

  /**
   * Refuses new keys and grants for a principal the identity provider no longer holds active. It
   * locks the principal, so a deactivation arriving meanwhile waits and then closes the new access too.
   */
  async requireActive(tx: EntityManager, id: string): Promise<PrincipalEntity> {
    const principal = await this.lock(tx, id);
    if (principal.status !== 'active') {
      throw new PrincipalError('PRINCIPALS.NOT_ACTIVE', `principal ${id} is ${principal.status}; new access needs an active principal`);
    }
    return principal;
  }

  /** The principal, or a 404-mapped error; `tx` lets a caller read it inside its own transaction. */
  async require(id: string, tx?: EntityManager): Promise<PrincipalEntity> {
    const principal = await this.principals.findById(id, tx);
    if (!principal) throw new PrincipalError('PRINCIPALS.NOT_FOUND', `no principal with id ${id}`);
    return principal;
  }

  /** The principal with its row locked until `tx` ends, or null when it does not exist yet. */
  findLocked(tx: EntityManager, id: string): Promise<PrincipalEntity | null> {
    return this.principals.findForUpdate(tx, id);
  }

  async insert(tx: EntityManager, principal: PrincipalEntity): Promise<void> {
    await this.principals.insert(tx, principal);
  }

  async update(tx: EntityManager, principal: PrincipalEntity): Promise<void> {
    await this.principals.update(tx, principal);
  }

  /** The principal with its row locked until `tx` ends, or a 404-mapped error. */
  async lock(tx: EntityManager, id: string): Promise<PrincipalEntity> {
    const principal = await this.principals.findForUpdate(tx, id);
    if (!principal) throw new PrincipalError('PRINCIPALS.NOT_FOUND', `no principal with id ${id}`);
    return principal;
  }
}

function viewOf(principal: PrincipalEntity): PrincipalView {
  return {
    id: principal.id,
    type: principal.type,
    displayName: principal.displayName,
    email: principal.email,
    status: principal.status,
    externalId: principal.externalId,
    source: principal.source,
    heldPendingReview: principal.heldPendingReview,
    policyVersion: principal.policyVersion,
    createdAt: principal.createdAt.toISOString(),
    updatedAt: principal.updatedAt.toISOString(),
  };
}
