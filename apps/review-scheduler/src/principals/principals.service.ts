import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { identityStatusOf, isPrincipalEvent } from '@attest/contracts';
import type { Envelope, GrantStatus, IdentityEvent, IdentityStatus } from '@attest/contracts';
import { GrantsRepository } from '../grants/grants.repository';
import { isMemberAfter } from './domain/identity-fact';
import { PrincipalsError } from './principals.errors';
import { PrincipalsRepository } from './principals.repository';

export interface PrincipalView {
  id: string;
  displayName: string;
  email: string | null;
  status: IdentityStatus;
  managerId: string | null;
  department: string | null;
  groups: Array<{ groupId: string; groupName: string }>;
  /** The principal's grants as enforcement last announced them; orphaned ones await a reviewer. */
  grants: Array<{ grantId: string; apiId: string; scopes: string[]; status: GrantStatus }>;
}

/** The principal read model: identity facts and group memberships, kept for reviewer assignment. */
@Injectable()
export class PrincipalsService {
  constructor(
    private readonly principals: PrincipalsRepository,
    private readonly grants: GrantsRepository,
  ) {}

  /** Applies one identity event; the envelope's occurredAt orders facts about the same principal or membership. */
  async apply(tx: EntityManager, event: Envelope<IdentityEvent>): Promise<void> {
    const observedAt = new Date(event.occurredAt);
    const data = event.data;
    if (isPrincipalEvent(data)) {
      await this.principals.upsertFactsUnlessOlder(tx, { facts: data, status: identityStatusOf(data), observedAt });
      return;
    }
    await this.principals.setMembershipUnlessOlder(tx, {
      principalId: data.principalId,
      groupId: data.groupId,
      groupName: data.groupName,
      isMember: isMemberAfter(data),
      observedAt,
    });
  }

  async get(principalId: string): Promise<PrincipalView> {
    const principal = await this.principals.findById(principalId);
    if (!principal) throw new PrincipalsError('PRINCIPALS.NOT_FOUND', `principal ${principalId} is not known`);
    const [groups, grants] = await Promise.all([this.principals.findGroups(principalId), this.grants.findByPrincipal(principalId)]);
    return {
      id: principal.principalId,
      displayName: principal.displayName,
      email: principal.email,
      status: principal.status,
      managerId: principal.managerId,
      department: principal.department,
      groups: groups.map((group) => ({ groupId: group.groupId, groupName: group.groupName })),
      grants: grants.map((grant) => ({ grantId: grant.grantId, apiId: grant.apiId, scopes: grant.scopes, status: grant.status })),
    };
  }
}
