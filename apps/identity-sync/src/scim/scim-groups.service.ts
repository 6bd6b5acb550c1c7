import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { DirectoryRepository, groupRecord, StoredGroup } from '../directory/directory.repository';
import { DirectoryService } from '../directory/directory.service';
import { GroupRecord } from '../directory/domain/group';
import { filterLookups, parseScimFilter } from './domain/scim-filter';
import { applyGroupPatch, ScimGroupState, ScimPatchOperation } from './domain/scim-patch';
import { ScimProtocolError } from './domain/scim-protocol.error';
import { groupResource, groupStateOf, listResponse } from './domain/scim-resources';
import { ScimGroupDto } from './dto/scim-group.dto';
import { ScimListQuery } from './dto/scim-list.query';
import { ScimError } from './scim.errors';

const GROUP_FILTER_ATTRIBUTES = { id: 'id', displayname: 'displayName', externalid: 'externalId' } as const;

type ScimResource = Record<string, unknown>;

/** SCIM 2.0 Groups over the mirror; member changes publish the same membership events as Okta's. */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
    private readonly repository: DirectoryRepository,
  ) {}

  async create(body: ScimGroupDto, baseUrl: string): Promise<ScimResource> {
    const state: ScimGroupState = { displayName: body.displayName, externalId: body.externalId?.trim() || null, members: (body.members ?? []).map((m) => m.value) };
    const id = await this.directory.transaction(async (tx) => {
      const existing = await this.repository.findGroupsByDisplayName(tx, state.displayName);
      if (existing.some((group) => group.status !== 'deleted' && group.scimManaged)) {
        throw new ScimProtocolError('uniqueness', `a group named "${state.displayName}" already exists`);
      }
      const group: GroupRecord = {
        id: randomUUID(),
        displayName: state.displayName,
        description: null,
        status: 'active',
        oktaId: null,
        oktaLastUpdated: null,
        scimManaged: true,
        scimExternalId: state.externalId,
      };
      await this.directory.saveGroup(tx, { before: null, after: group }, 'scim');
      await this.writeMembers(tx, { groupId: group.id, before: [], after: state.members });
      return group.id;
    });
    return this.get(id, { excludeMembers: false }, baseUrl);
  }

  async get(id: string, options: { excludeMembers: boolean }, baseUrl: string): Promise<ScimResource> {
    const group = await this.require(this.dataSource.manager, id);
    const members = options.excludeMembers ? null : await this.repository.membersOf(this.dataSource.manager, [id]);
    return groupResource({ group, members }, baseUrl);
  }

  async list(query: ScimListQuery, baseUrl: string): Promise<ScimResource> {
    const lookups = query.filter ? filterLookups(parseScimFilter(query.filter), GROUP_FILTER_ATTRIBUTES) : {};
    const excludeMembers = excluded(query.excludedAttributes, 'members');
    const { total, items } = await this.repository.queryGroups(this.dataSource.manager, { ...lookups, offset: query.startIndex - 1, limit: query.count });
    const members = excludeMembers ? [] : await this.repository.membersOf(this.dataSource.manager, items.map((g) => g.id));
    const resources = items.map((group) =>
      groupResource({ group, members: excludeMembers ? null : members.filter((m) => m.groupId === group.id) }, baseUrl),
    );
    return listResponse({ resources, total, startIndex: query.startIndex });
  }

  async patch(id: string, operations: readonly ScimPatchOperation[], baseUrl: string): Promise<ScimResource> {
    await this.update(id, (state) => applyGroupPatch(state, operations));
    return this.get(id, { excludeMembers: false }, baseUrl);
  }

  async replace(id: string, body: ScimGroupDto, baseUrl: string): Promise<ScimResource> {
    await this.update(id, () => ({ displayName: body.displayName, externalId: body.externalId?.trim() || null, members: (body.members ?? []).map((m) => m.value) }));
    return this.get(id, { excludeMembers: false }, baseUrl);
  }

  async delete(id: string): Promise<void> {
    await this.directory.transaction(async (tx) => {
      const group = await this.require(tx, id);
      await this.directory.deleteGroups(tx, [groupRecord(group)], 'scim');
    });
  }

  private async update(id: string, change: (state: ScimGroupState) => ScimGroupState): Promise<void> {
    await this.directory.transaction(async (tx) => {
      const before = groupRecord(await this.require(tx, id));
      const members = (await this.repository.membersOf(tx, [id])).map((m) => m.principalId);
      const state = change(groupStateOf(before, members));
      if (state.displayName.toLowerCase() !== before.displayName.toLowerCase()) {
        const taken = (await this.repository.findGroupsByDisplayName(tx, state.displayName)).some((g) => g.id !== id && g.status !== 'deleted' && g.scimManaged);
        if (taken) throw new ScimProtocolError('uniqueness', `a group named "${state.displayName}" already exists`);
      }
      const after: GroupRecord = { ...before, displayName: state.displayName, scimExternalId: state.externalId, scimManaged: true };
      await this.directory.saveGroup(tx, { before, after }, 'scim');
      await this.writeMembers(tx, { groupId: id, before: members, after: state.members });
    });
  }

  /** Adds and removes the difference; every new member must be a live principal. */
  private async writeMembers(tx: EntityManager, change: { groupId: string; before: readonly string[]; after: readonly string[] }): Promise<void> {
    const before = new Set(change.before);
    const after = new Set(change.after);
    const added = [...after].filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !after.has(id));
    const valid = added.filter((id) => z.uuid().safeParse(id).success);
    const known = new Set((await this.repository.findPrincipals(tx, valid)).filter((p) => p.status !== 'deleted').map((p) => p.id));
    const unknown = added.filter((id) => !known.has(id));
    if (unknown.length) throw new ScimProtocolError('invalidValue', `members are not known users: ${unknown.join(', ')}`);
    await this.directory.changeMemberships(
      tx,
      {
        add: added.map((principalId) => ({ groupId: change.groupId, principalId })),
        remove: removed.map((principalId) => ({ groupId: change.groupId, principalId })),
      },
      'scim',
    );
  }

  private async require(tx: EntityManager, id: string): Promise<StoredGroup> {
    const group = z.uuid().safeParse(id).success ? await this.repository.findGroup(tx, id) : null;
    if (!group || group.status === 'deleted') throw new ScimError('SCIM.NOT_FOUND', `no group with id ${id}`);
    return group;
  }
}

function excluded(list: string | undefined, attribute: string): boolean {
  return (list ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .includes(attribute);
}
