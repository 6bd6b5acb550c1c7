import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { OktaGroupFacts, OktaUserFacts } from '../okta/domain/okta-facts';
import { GroupRecord, groupChanged, MembershipChange } from './domain/group';
import { DirectorySource, PrincipalRecord, recordChanged } from './domain/principal';
import { DirectoryRepository, groupRecord, MembershipPair, principalRecord, StoredPrincipal } from './directory.repository';
import { IdentityPublisher, PrincipalChange } from './identity.publisher';

/** One page of an Okta group's members. */
export interface GroupMembersPage {
  groupId: string;
  members: readonly OktaUserFacts[];
  /** When the page was asked for: what it lists was true at least then. */
  readAt: Date;
  /** Set on the group's last page: when its listing began, so memberships not re-confirmed since are gone. */
  listedSince: Date | null;
}

/** What one write to the mirror did: rows it saw or wrote, and identity events it published. */
export interface DirectoryWrite {
  principals: number;
  groups: number;
  memberships: number;
  deleted: number;
  events: number;
}

export const NO_WRITE: DirectoryWrite = Object.freeze({ principals: 0, groups: 0, memberships: 0, deleted: 0, events: 0 });

export function addWrites(a: DirectoryWrite, b: DirectoryWrite): DirectoryWrite {
  return {
    principals: a.principals + b.principals,
    groups: a.groups + b.groups,
    memberships: a.memberships + b.memberships,
    deleted: a.deleted + b.deleted,
    events: a.events + b.events,
  };
}

/**
 * The one place the mirror changes. Okta pages, Event Hooks, System Log events and SCIM requests all come
 * through here inside a transaction holding the directory lock, so a person is matched to one principal
 * id whichever side sees them first, and each real change publishes exactly one identity event.
 */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: DirectoryRepository,
    private readonly publisher: IdentityPublisher,
  ) {}

  /** Runs `work` in a transaction that holds the directory lock; callers add their own bookkeeping to it. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await this.repository.lock(tx);
      return work(tx);
    });
  }

  /** Mirrors one page of Okta users: matched to principals, written set-based, changes published. */
  async applyOktaUsers(tx: EntityManager, users: readonly OktaUserFacts[]): Promise<DirectoryWrite> {
    const unique = [...new Map(users.map((user) => [user.oktaId, user])).values()];
    if (unique.length === 0) return NO_WRITE;
    const existing = await this.repository.matchOktaUsers(tx, unique);
    const claimed = new Set<string>();
    const planned = unique.map((facts, index) => {
      const match = existing[index];
      // Two Okta users can never become one principal, even when they share an e-mail.
      const before = match && !claimed.has(match.id) ? principalRecord(match) : null;
      const id = before?.id ?? randomUUID();
      claimed.add(id);
      return { facts, before, id };
    });
    const managers = await this.repository.principalIdsByOktaIds(
      tx,
      unique.flatMap((user) => (user.managerOktaId ? [user.managerOktaId] : [])),
    );
    for (const { facts, id } of planned) managers.set(facts.oktaId, id);

    const changed: PrincipalChange[] = [];
    const unchanged: string[] = [];
    for (const { facts, before, id } of planned) {
      const after = before && isStale(before, facts) ? before : oktaPrincipal({ facts, before, id, managers });
      if (before && !recordChanged(before, after)) unchanged.push(id);
      else changed.push({ before, after });
    }
    await this.repository.upsertPrincipals(
      tx,
      changed.map((change) => change.after),
      { source: 'okta', oktaRefreshed: true },
    );
    await this.repository.touchOktaPrincipals(tx, unchanged);
    let events = await this.publisher.principalsChanged(tx, changed, 'okta');
    events += await this.linkReports(tx, unique.map((user) => user.oktaId));
    return { ...NO_WRITE, principals: unique.length, events };
  }

  /** Okta no longer knows these users (deleted there): their principals are deleted and leave every group. */
  async deleteOktaUsers(tx: EntityManager, oktaIds: readonly string[]): Promise<DirectoryWrite> {
    const found = await this.repository.findPrincipalsByOktaIds(tx, oktaIds);
    return this.deletePrincipals(tx, found, 'okta');
  }

  /** Mirrors a page of Okta groups; returns the Attest group id of each Okta group. */
  async applyOktaGroups(tx: EntityManager, groups: readonly OktaGroupFacts[]): Promise<DirectoryWrite & { ids: Map<string, string> }> {
    const unique = [...new Map(groups.map((group) => [group.oktaId, group])).values()];
    const existing = new Map((await this.repository.matchOktaGroups(tx, unique.map((g) => g.oktaId))).map((g) => [g.oktaId!, groupRecord(g)]));
    const ids = new Map<string, string>();
    const changed: GroupRecord[] = [];
    const unchanged: string[] = [];
    for (const facts of unique) {
      const before = existing.get(facts.oktaId) ?? null;
      const stale = before?.oktaLastUpdated && facts.oktaLastUpdated && facts.oktaLastUpdated < before.oktaLastUpdated;
      const after: GroupRecord = stale
        ? before
        : {
            id: before?.id ?? randomUUID(),
            displayName: facts.displayName,
            description: facts.description,
            status: 'active',
            oktaId: facts.oktaId,
            oktaLastUpdated: facts.oktaLastUpdated,
            scimManaged: before?.scimManaged ?? false,
            scimExternalId: before?.scimExternalId ?? null,
          };
      ids.set(facts.oktaId, after.id);
      if (before && !groupChanged(before, after)) unchanged.push(after.id);
      else changed.push(after);
    }
    await this.repository.upsertGroups(tx, changed, { source: 'okta', oktaRefreshed: true });
    await this.repository.touchOktaGroups(tx, unchanged);
    return { ...NO_WRITE, groups: unique.length, ids };
  }

  async deleteOktaGroups(tx: EntityManager, oktaIds: readonly string[]): Promise<DirectoryWrite> {
    const found = (await this.repository.matchOktaGroups(tx, oktaIds)).filter((group) => group.status !== 'deleted');
    return this.deleteGroups(tx, found.map(groupRecord), 'okta');
  }

  /**
   * Member pages of one or more Okta groups, in one statement set: members unknown to the mirror are mirrored
   * from the pages themselves (the listing carries whole users), each membership is added or re-confirmed, and
   * on a group's last page the members Okta did not list since `listedSince` leave the group.
   */
  async applyOktaGroupMembers(tx: EntityManager, pages: readonly GroupMembersPage[]): Promise<DirectoryWrite> {
    const members = pages.flatMap((page) => page.members);
    let ids = await this.repository.principalIdsByOktaIds(tx, members.map((member) => member.oktaId));
    const unknown = members.filter((member) => !ids.has(member.oktaId));
    const mirrored = await this.applyOktaUsers(tx, unknown);
    if (unknown.length) ids = await this.repository.principalIdsByOktaIds(tx, members.map((member) => member.oktaId));
    const pairs = pages.flatMap((page) =>
      page.members.map((member) => ({ groupId: page.groupId, principalId: ids.get(member.oktaId)!, oktaReadAt: page.readAt })),
    );
    // A user whose own group list was read after a page keeps what that newer read said.
    const added = await this.repository.upsertMemberships(tx, pairs, { source: 'okta', skipNewerUserReads: true });
    const removed = await this.repository.deleteOktaMembershipsNotRefreshedSince(
      tx,
      pages.flatMap((page) => (page.listedSince ? [{ groupId: page.groupId, before: page.listedSince }] : [])),
    );
    const events = await this.publishMemberships(tx, { added, removed }, 'okta');
    return { ...NO_WRITE, memberships: pairs.length, events: events + mirrored.events, principals: mirrored.principals };
  }

  /** Sets one user's Okta group memberships to exactly these groups (already mirrored). */
  async replaceOktaMembershipsOfUser(
    tx: EntityManager,
    change: { oktaUserId: string; groupIds: ReadonlyMap<string, string>; readAt: Date },
  ): Promise<DirectoryWrite> {
    const principalId = (await this.repository.principalIdsByOktaIds(tx, [change.oktaUserId])).get(change.oktaUserId);
    if (!principalId) return NO_WRITE;
    // Two appliers (an Event Hook delivery and a System Log page) may read the same user's groups at
    // different times and commit in the other order: the older read is stale, and is dropped.
    if (!(await this.repository.claimOktaMembershipRead(tx, principalId, change.readAt))) return NO_WRITE;
    const current = await this.repository.oktaMembershipsOf(tx, principalId);
    const wanted = new Set(change.groupIds.values());
    const added = await this.repository.upsertMemberships(
      tx,
      [...wanted].map((groupId) => ({ groupId, principalId, oktaReadAt: change.readAt })),
      { source: 'okta' },
    );
    // A membership a full sync's page listed after this read began is newer than this read's absence of it.
    const removed = await this.repository.deleteOktaMembershipsListedBefore(
      tx,
      principalId,
      current.filter((membership) => !wanted.has(membership.groupId)).map((membership) => membership.groupId),
      change.readAt,
    );
    const events = await this.publishMemberships(tx, { added, removed }, 'okta');
    return { ...NO_WRITE, memberships: wanted.size, events };
  }

  /** The end of a full sync: Okta users and groups it did not see since the run started no longer exist. */
  async sweepOktaDeletions(tx: EntityManager, runStartedAt: Date): Promise<DirectoryWrite> {
    const principals = await this.repository.findOktaPrincipalsNotRefreshedSince(tx, runStartedAt);
    const groups = await this.repository.findOktaGroupsNotRefreshedSince(tx, runStartedAt);
    const users = await this.deletePrincipals(tx, principals, 'okta');
    const removedGroups = await this.deleteGroups(tx, groups.map(groupRecord), 'okta');
    return addWrites(users, removedGroups);
  }

  /** Writes whole principal records (SCIM's path) and publishes what changed. */
  async savePrincipals(tx: EntityManager, changes: readonly PrincipalChange[], source: DirectorySource): Promise<number> {
    const changed = changes.filter((change) => !change.before || recordChanged(change.before, change.after));
    await this.repository.upsertPrincipals(
      tx,
      changed.map((change) => change.after),
      { source, oktaRefreshed: false },
    );
    return this.publisher.principalsChanged(tx, changed, source);
  }

  async saveGroup(tx: EntityManager, change: { before: GroupRecord | null; after: GroupRecord }, source: DirectorySource): Promise<void> {
    if (change.before && !groupChanged(change.before, change.after)) return;
    await this.repository.upsertGroups(tx, [change.after], { source, oktaRefreshed: false });
  }

  /** Adds and removes memberships (SCIM's path); returns the events published. */
  async changeMemberships(
    tx: EntityManager,
    change: { add: readonly MembershipPair[]; remove: readonly MembershipPair[] },
    source: DirectorySource,
  ): Promise<number> {
    const added = await this.repository.upsertMemberships(tx, change.add, { source });
    const removed = await this.repository.deleteMemberships(tx, change.remove);
    return this.publishMemberships(tx, { added, removed }, source);
  }

  async deletePrincipals(tx: EntityManager, principals: readonly StoredPrincipal[], source: DirectorySource): Promise<DirectoryWrite> {
    const live = principals.filter((principal) => principal.status !== 'deleted').map(principalRecord);
    if (live.length === 0) return NO_WRITE;
    const changes = live.map((before) => ({
      before,
      after: before.oktaId
        ? { ...before, status: 'deleted' as const, oktaStatus: 'DELETED', oktaLastUpdated: new Date() }
        : { ...before, status: 'deleted' as const },
    }));
    await this.repository.upsertPrincipals(
      tx,
      changes.map((change) => change.after),
      { source, oktaRefreshed: false },
    );
    const removed = await this.repository.deleteMembershipsOfPrincipals(
      tx,
      live.map((principal) => principal.id),
    );
    // Leaving the groups first keeps each principal's events in the order a consumer can act on.
    const events = (await this.publishMemberships(tx, { added: [], removed }, source)) + (await this.publisher.principalsChanged(tx, changes, source));
    return { ...NO_WRITE, deleted: live.length, events };
  }

  async deleteGroups(tx: EntityManager, groups: readonly GroupRecord[], source: DirectorySource): Promise<DirectoryWrite> {
    if (groups.length === 0) return NO_WRITE;
    const names = new Map(groups.map((group) => [group.id, group.displayName]));
    const removed = await this.repository.deleteMembershipsOfGroups(
      tx,
      groups.map((group) => group.id),
    );
    await this.repository.upsertGroups(
      tx,
      groups.map((group) => ({ ...group, status: 'deleted' as const })),
      { source, oktaRefreshed: false },
    );
    const events = await this.publisher.membershipsChanged(
      tx,
      removed.map((pair) => ({ kind: 'membership.removed' as const, ...pair, groupName: names.get(pair.groupId)! })),
      source,
    );
    return { ...NO_WRITE, groups: groups.length, events };
  }

  /** Principals managed by any of these Okta users that can now be linked to the manager's principal id. */
  private async linkReports(tx: EntityManager, managerOktaIds: readonly string[]): Promise<number> {
    const reports = await this.repository.findUnlinkedReports(tx, managerOktaIds);
    if (reports.length === 0) return 0;
    const changes = reports.map(({ resolvedManagerId, ...stored }) => {
      const before = principalRecord(stored);
      return { before, after: { ...before, managerPrincipalId: resolvedManagerId } };
    });
    await this.repository.upsertPrincipals(
      tx,
      changes.map((change) => change.after),
      { source: 'okta', oktaRefreshed: false },
    );
    return this.publisher.principalsChanged(tx, changes, 'okta');
  }

  private async publishMemberships(
    tx: EntityManager,
    change: { added: readonly MembershipPair[]; removed: readonly MembershipPair[] },
    source: DirectorySource,
  ): Promise<number> {
    if (change.added.length === 0 && change.removed.length === 0) return 0;
    const names = await this.repository.groupNames(
      tx,
      [...change.added, ...change.removed].map((pair) => pair.groupId),
    );
    const events: MembershipChange[] = [
      ...change.removed.map((pair) => ({ kind: 'membership.removed' as const, ...pair, groupName: names.get(pair.groupId) ?? pair.groupId })),
      ...change.added.map((pair) => ({ kind: 'membership.added' as const, ...pair, groupName: names.get(pair.groupId) ?? pair.groupId })),
    ];
    return this.publisher.membershipsChanged(tx, events, source);
  }
}

/**
 * An older copy of the user than the one stored, e.g. a sync page read before a webhook's fresher read, or
 * read before the user was deleted (deletion stamps the time Okta stopped knowing the user).
 */
function isStale(before: PrincipalRecord, facts: OktaUserFacts): boolean {
  return !!(before.oktaLastUpdated && facts.oktaLastUpdated && facts.oktaLastUpdated < before.oktaLastUpdated);
}

function oktaPrincipal(input: {
  facts: OktaUserFacts;
  before: PrincipalRecord | null;
  id: string;
  managers: ReadonlyMap<string, string>;
}): PrincipalRecord {
  const { facts, before, id, managers } = input;
  return {
    id,
    type: before?.type ?? 'user',
    userName: facts.userName,
    email: facts.email,
    displayName: facts.displayName,
    givenName: facts.givenName,
    familyName: facts.familyName,
    title: facts.title,
    department: facts.department,
    status: facts.status,
    managerOktaId: facts.managerOktaId,
    managerPrincipalId: facts.managerOktaId ? (managers.get(facts.managerOktaId) ?? null) : null,
    oktaId: facts.oktaId,
    oktaStatus: facts.oktaStatus,
    oktaLastUpdated: facts.oktaLastUpdated,
    scimManaged: before?.scimManaged ?? false,
    scimExternalId: before?.scimExternalId ?? null,
  };
}
