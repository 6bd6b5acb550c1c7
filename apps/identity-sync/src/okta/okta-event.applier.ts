import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { addWrites, DirectoryService, DirectoryWrite } from '../directory/directory.service';
import { DirectoryRepository } from '../directory/directory.repository';
import { OktaEventLike, planOktaEvents } from './domain/okta-event-plan';
import { OktaGroupFacts, oktaGroupFacts, OktaUserFacts, oktaUserFacts } from './domain/okta-facts';
import { mapLimit, timedRead } from './concurrent-reads';
import { OktaClient } from './okta.client';

/** Okta reads in flight at once while applying one batch of events. */
const READ_CONCURRENCY = 4;

/**
 * Applies Okta events (from an Event Hook delivery or a System Log page) by re-reading the users and groups
 * they name and writing what Okta says now. Reads happen first, then one transaction writes everything,
 * together with the caller's bookkeeping (inbox row processed, log cursor advanced).
 */
@Injectable()
export class OktaEventApplier {
  constructor(
    private readonly okta: OktaClient,
    private readonly directory: DirectoryService,
    private readonly repository: DirectoryRepository,
    private readonly dataSource: DataSource,
  ) {}

  async apply(events: readonly OktaEventLike[], bookkeeping?: (tx: EntityManager) => Promise<void>): Promise<DirectoryWrite> {
    const plan = planOktaEvents(events);
    // A membership of a user the mirror has never seen needs the user first.
    const known = await this.repository.principalIdsByOktaIds(this.dataSource.manager, plan.memberships);
    const userIds = [...new Set([...plan.users, ...plan.memberships.filter((id) => !known.has(id))])];

    const users = await mapLimit(userIds, READ_CONCURRENCY, (id) => this.okta.getUser(id));
    const memberships = await mapLimit(plan.memberships, READ_CONCURRENCY, (id) => timedRead(() => this.okta.userGroups(id)));
    const groups = await mapLimit(plan.groups, READ_CONCURRENCY, (id) => this.okta.getGroup(id));

    const presentUsers: OktaUserFacts[] = [];
    const goneUsers: string[] = [];
    users.forEach((user, index) => (user ? presentUsers.push(oktaUserFacts(user)) : goneUsers.push(userIds[index])));
    const presentGroups = new Map<string, OktaGroupFacts>();
    const goneGroups = [...plan.deletedGroups];
    groups.forEach((group, index) => (group ? presentGroups.set(group.id!, oktaGroupFacts(group)) : goneGroups.push(plan.groups[index])));
    for (const listed of memberships) for (const group of listed.value ?? []) presentGroups.set(group.id!, oktaGroupFacts(group));

    return this.directory.transaction(async (tx) => {
      let write = await this.directory.applyOktaUsers(tx, presentUsers);
      write = addWrites(write, await this.directory.deleteOktaUsers(tx, goneUsers));
      const applied = await this.directory.applyOktaGroups(tx, [...presentGroups.values()]);
      write = addWrites(write, applied);
      write = addWrites(write, await this.directory.deleteOktaGroups(tx, goneGroups));
      for (const [index, oktaUserId] of plan.memberships.entries()) {
        const listed = memberships[index];
        if (listed.value === null) continue; // the user is gone; deletion already removed their memberships
        const groupIds = new Map(listed.value.map((group) => [group.id!, applied.ids.get(group.id!)!]));
        write = addWrites(write, await this.directory.replaceOktaMembershipsOfUser(tx, { oktaUserId, groupIds, readAt: listed.readAt }));
      }
      await bookkeeping?.(tx);
      return write;
    });
  }
}
