import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IdentityStatus, PrincipalIdentityEvent } from '@attest/contracts';
import { GroupMembership } from './group-membership.entity';
import { Principal } from './principals.entity';

/**
 * Writes identity facts unless the held ones are newer: identity.events.v1 is replayed from the
 * beginning and a full sync can race a webhook, so an older fact must never overwrite a newer one.
 * Equal times apply again, which changes nothing.
 */
@Injectable()
export class PrincipalsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsertFactsUnlessOlder(
    tx: EntityManager,
    fact: { facts: PrincipalIdentityEvent; status: IdentityStatus; observedAt: Date },
  ): Promise<void> {
    const { facts } = fact;
    await tx.query(
      `INSERT INTO review_scheduler.principals
         (principal_id, type, display_name, email, status, manager_id, department, external_id, source, observed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (principal_id) DO UPDATE
         SET type = EXCLUDED.type,
             display_name = EXCLUDED.display_name,
             email = EXCLUDED.email,
             status = EXCLUDED.status,
             manager_id = EXCLUDED.manager_id,
             department = EXCLUDED.department,
             external_id = EXCLUDED.external_id,
             source = EXCLUDED.source,
             observed_at = EXCLUDED.observed_at
         WHERE principals.observed_at <= EXCLUDED.observed_at`,
      [
        facts.principalId,
        facts.type,
        facts.displayName,
        facts.email,
        fact.status,
        facts.managerId,
        facts.department,
        facts.externalId,
        facts.source,
        fact.observedAt,
      ],
    );
  }

  async setMembershipUnlessOlder(
    tx: EntityManager,
    membership: { principalId: string; groupId: string; groupName: string; isMember: boolean; observedAt: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO review_scheduler.group_memberships (principal_id, group_id, group_name, is_member, observed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (principal_id, group_id) DO UPDATE
         SET group_name = EXCLUDED.group_name,
             is_member = EXCLUDED.is_member,
             observed_at = EXCLUDED.observed_at
         WHERE group_memberships.observed_at <= EXCLUDED.observed_at`,
      [membership.principalId, membership.groupId, membership.groupName, membership.isMember, membership.observedAt],
    );
  }

  findById(principalId: string): Promise<Principal | null> {
    return this.dataSource.getRepository(Principal).findOneBy({ principalId });
  }

  findGroups(principalId: string): Promise<GroupMembership[]> {
    return this.dataSource
      .getRepository(GroupMembership)
      .find({ where: { principalId, isMember: true }, order: { groupName: 'ASC', groupId: 'ASC' } });
  }
}
