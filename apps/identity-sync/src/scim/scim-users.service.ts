import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { DirectoryRepository, principalRecord, StoredPrincipal } from '../directory/directory.repository';
import { DirectoryService } from '../directory/directory.service';
import { PrincipalRecord } from '../directory/domain/principal';
import { filterLookups, parseScimFilter } from './domain/scim-filter';
import { applyUserPatch, ENTERPRISE_USER, managerValue, primaryEmail, scimBoolean, ScimPatchOperation, ScimUserState } from './domain/scim-patch';
import { ScimProtocolError } from './domain/scim-protocol.error';
import { listResponse, newScimPrincipal, userResource, userStateOf, withUserState } from './domain/scim-resources';
import { ScimListQuery } from './dto/scim-list.query';
import { ScimUserDto } from './dto/scim-user.dto';
import { ScimError } from './scim.errors';

const USER_FILTER_ATTRIBUTES = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  emails: 'email',
  'emails.value': 'email',
  displayname: 'displayName',
} as const;

type ScimResource = Record<string, unknown>;

/**
 * SCIM 2.0 Users over the directory mirror. The resource `id` is the Attest principal id; a user pushed
 * over SCIM whose user name or e-mail Okta already brought is the same principal (one identity, one id).
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: DirectoryService,
    private readonly repository: DirectoryRepository,
  ) {}

  async create(body: ScimUserDto, baseUrl: string): Promise<ScimResource> {
    const sent = stateFromBody(body, null);
    const id = await this.directory.transaction(async (tx) => {
      const candidates = await this.repository.findByUserNameOrEmail(tx, sent.userName, sent.email);
      const sameUserName = (p: StoredPrincipal) => p.userName.toLowerCase() === sent.userName.toLowerCase();
      if (candidates.some((p) => p.scimManaged && p.status !== 'deleted' && sameUserName(p))) {
        throw new ScimProtocolError('uniqueness', `a user with userName "${sent.userName}" already exists`);
      }
      // Another SCIM user who merely shares the e-mail is a different person; anyone else with this identity is linked.
      const linked = candidates.find((p) => !(p.scimManaged && p.status !== 'deleted'));
      const before = linked ? principalRecord(linked) : null;
      // Linking keeps what Okta knows about the person unless the client says otherwise.
      const state = before ? stateFromBody(body, userStateOf(before)) : sent;
      await this.requireManager(tx, state.managerId, before?.id ?? null);
      const after = withUserState(before ?? newScimPrincipal(randomUUID()), state);
      await this.directory.savePrincipals(tx, [{ before, after }], 'scim');
      return after.id;
    });
    return this.get(id, baseUrl);
  }

  async get(id: string, baseUrl: string): Promise<ScimResource> {
    return userResource(await this.require(this.dataSource.manager, id), baseUrl);
  }

  async list(query: ScimListQuery, baseUrl: string): Promise<ScimResource> {
    const lookups = query.filter ? filterLookups(parseScimFilter(query.filter), USER_FILTER_ATTRIBUTES) : {};
    if (lookups.id !== undefined && !z.uuid().safeParse(lookups.id).success) return listResponse({ resources: [], total: 0, startIndex: query.startIndex });
    const { total, items } = await this.repository.queryPrincipals(this.dataSource.manager, {
      ...lookups,
      live: true,
      offset: query.startIndex - 1,
      limit: query.count,
    });
    return listResponse({ resources: items.map((item) => userResource(item, baseUrl)), total, startIndex: query.startIndex });
  }

  async patch(id: string, operations: readonly ScimPatchOperation[], baseUrl: string): Promise<ScimResource> {
    await this.update(id, (before) => applyUserPatch(userStateOf(before), operations));
    return this.get(id, baseUrl);
  }

  async replace(id: string, body: ScimUserDto, baseUrl: string): Promise<ScimResource> {
    await this.update(id, () => stateFromBody(body, null));
    return this.get(id, baseUrl);
  }

  /** SCIM DELETE: the principal is deleted (its id is kept, so it is never reused) and leaves its groups. */
  async delete(id: string): Promise<void> {
    await this.directory.transaction(async (tx) => {
      const principal = await this.require(tx, id);
      await this.directory.deletePrincipals(tx, [principal], 'scim');
    });
  }

  private async update(id: string, change: (before: PrincipalRecord) => ScimUserState): Promise<void> {
    await this.directory.transaction(async (tx) => {
      const before = principalRecord(await this.require(tx, id));
      const state = change(before);
      if (state.userName.toLowerCase() !== before.userName.toLowerCase()) {
        const taken = (await this.repository.findByUserNameOrEmail(tx, state.userName, null)).some(
          (p) => p.id !== id && p.status !== 'deleted' && p.userName.toLowerCase() === state.userName.toLowerCase(),
        );
        if (taken) throw new ScimProtocolError('uniqueness', `a user with userName "${state.userName}" already exists`);
      }
      if (state.managerId !== before.managerPrincipalId) await this.requireManager(tx, state.managerId, id);
      await this.directory.savePrincipals(tx, [{ before, after: withUserState(before, state) }], 'scim');
    });
  }

  private async require(tx: EntityManager, id: string): Promise<StoredPrincipal> {
    const principal = z.uuid().safeParse(id).success ? await this.repository.findPrincipal(tx, id) : null;
    if (!principal || principal.status === 'deleted') throw new ScimError('SCIM.NOT_FOUND', `no user with id ${id}`);
    return principal;
  }

  /** A manager is another live principal, named by its SCIM id. */
  private async requireManager(tx: EntityManager, managerId: string | null, selfId: string | null): Promise<void> {
    if (managerId === null) return;
    const manager = z.uuid().safeParse(managerId).success ? await this.repository.findPrincipal(tx, managerId) : null;
    if (!manager || manager.status === 'deleted' || managerId === selfId) {
      throw new ScimProtocolError('invalidValue', `manager ${managerId} is not a known user`);
    }
  }
}

/**
 * A whole user as sent by POST or PUT. Attributes left out take the value of `base`: none for a PUT (it
 * replaces), the principal's current ones when a POST links a person already known.
 */
function stateFromBody(body: ScimUserDto, base: ScimUserState | null): ScimUserState {
  const enterprise = body[ENTERPRISE_USER];
  const pick = <K extends keyof ScimUserState>(key: K, sent: ScimUserState[K] | undefined): ScimUserState[K] =>
    sent === undefined ? ((base?.[key] ?? null) as ScimUserState[K]) : sent;
  const trimmed = (value: string | null | undefined) => (value === undefined ? undefined : value?.trim() || null);
  return {
    userName: body.userName,
    givenName: pick('givenName', body.name === undefined ? undefined : trimmed(body.name?.givenName ?? null)),
    familyName: pick('familyName', body.name === undefined ? undefined : trimmed(body.name?.familyName ?? null)),
    displayName: pick('displayName', trimmed(body.displayName)),
    email: pick('email', body.emails === undefined ? undefined : primaryEmail(body.emails)),
    active: body.active === undefined ? (base?.active ?? true) : scimBoolean(body.active, 'active'),
    externalId: pick('externalId', trimmed(body.externalId)),
    title: pick('title', trimmed(body.title)),
    department: pick('department', enterprise === undefined ? undefined : trimmed(enterprise?.department ?? null)),
    managerId: pick('managerId', enterprise === undefined ? undefined : managerValue(enterprise?.manager ?? null)),
  };
}
