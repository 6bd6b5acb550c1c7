import { z } from 'zod';
import type { PrincipalRecord } from '../../directory/domain/principal';
import type { GroupRecord } from '../../directory/domain/group';
import { ENTERPRISE_USER, ScimGroupState, ScimUserState } from './scim-patch';
import { ScimProtocolError } from './scim-protocol.error';

export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: ENTERPRISE_USER,
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

const email = z.email();

export interface Timestamps {
  createdAt: Date;
  updatedAt: Date;
}

/** What SCIM says about a principal, read from the mirror. */
export function userStateOf(record: PrincipalRecord): ScimUserState {
  return {
    userName: record.userName,
    givenName: record.givenName,
    familyName: record.familyName,
    displayName: record.displayName,
    email: record.email,
    active: record.status === 'active',
    externalId: record.scimExternalId,
    title: record.title,
    department: record.department,
    managerId: record.managerPrincipalId,
  };
}

/**
 * The principal after a SCIM client's view of it is written. `active: false` deactivates (the identity
 * event that closes access); `active: true` brings back a deactivated or suspended principal.
 */
export function withUserState(record: PrincipalRecord, state: ScimUserState): PrincipalRecord {
  if (state.email !== null && !email.safeParse(state.email).success) {
    throw new ScimProtocolError('invalidValue', 'emails: the primary e-mail is not a valid address');
  }
  const status = state.active ? 'active' : record.status === 'active' || record.status === 'suspended' || record.status === 'deleted' ? 'deactivated' : record.status;
  return {
    ...record,
    userName: state.userName,
    givenName: state.givenName,
    familyName: state.familyName,
    displayName: state.displayName ?? ([state.givenName, state.familyName].filter(Boolean).join(' ') || state.userName),
    email: state.email,
    status,
    scimExternalId: state.externalId,
    title: state.title,
    department: state.department,
    managerPrincipalId: state.managerId,
    // A manager set over SCIM is an Attest id; an Okta manager link no longer applies.
    managerOktaId: state.managerId === record.managerPrincipalId ? record.managerOktaId : null,
    scimManaged: true,
  };
}

export function newScimPrincipal(id: string): PrincipalRecord {
  return {
    id,
    type: 'user',
    userName: '',
    email: null,
    displayName: '',
    givenName: null,
    familyName: null,
    title: null,
    department: null,
    status: 'active',
    managerPrincipalId: null,
    managerOktaId: null,
    oktaId: null,
    oktaStatus: null,
    oktaLastUpdated: null,
    scimManaged: true,
    scimExternalId: null,
  };
}

export function userResource(record: PrincipalRecord & Timestamps, baseUrl: string): Record<string, unknown> {
  const formatted = [record.givenName, record.familyName].filter(Boolean).join(' ');
  const enterprise = {
    ...(record.department ? { department: record.department } : {}),
    ...(record.managerPrincipalId ? { manager: { value: record.managerPrincipalId, $ref: `${baseUrl}/Users/${record.managerPrincipalId}` } } : {}),
  };
  return {
    schemas: [SCIM_SCHEMAS.user, ...(Object.keys(enterprise).length ? [SCIM_SCHEMAS.enterpriseUser] : [])],
    id: record.id,
    ...(record.scimExternalId ? { externalId: record.scimExternalId } : {}),
    userName: record.userName,
    name: {
      ...(formatted ? { formatted } : {}),
      ...(record.givenName ? { givenName: record.givenName } : {}),
      ...(record.familyName ? { familyName: record.familyName } : {}),
    },
    displayName: record.displayName,
    ...(record.email ? { emails: [{ value: record.email, type: 'work', primary: true }] } : {}),
    ...(record.title ? { title: record.title } : {}),
    active: record.status === 'active',
    ...(Object.keys(enterprise).length ? { [SCIM_SCHEMAS.enterpriseUser]: enterprise } : {}),
    meta: meta({ resourceType: 'User', location: `${baseUrl}/Users/${record.id}`, timestamps: record }),
  };
}

export function groupStateOf(record: GroupRecord, members: readonly string[]): ScimGroupState {
  return { displayName: record.displayName, externalId: record.scimExternalId, members: [...members] };
}

export function groupResource(
  input: { group: GroupRecord & Timestamps; members: ReadonlyArray<{ principalId: string; displayName: string }> | null },
  baseUrl: string,
): Record<string, unknown> {
  const { group, members } = input;
  return {
    schemas: [SCIM_SCHEMAS.group],
    id: group.id,
    ...(group.scimExternalId ? { externalId: group.scimExternalId } : {}),
    displayName: group.displayName,
    ...(members
      ? { members: members.map((m) => ({ value: m.principalId, display: m.displayName, $ref: `${baseUrl}/Users/${m.principalId}`, type: 'User' })) }
      : {}),
    meta: meta({ resourceType: 'Group', location: `${baseUrl}/Groups/${group.id}`, timestamps: group }),
  };
}

export function listResponse(input: { resources: unknown[]; total: number; startIndex: number }): Record<string, unknown> {
  return {
    schemas: [SCIM_SCHEMAS.listResponse],
    totalResults: input.total,
    startIndex: input.startIndex,
    itemsPerPage: input.resources.length,
    Resources: input.resources,
  };
}

function meta(input: { resourceType: string; location: string; timestamps: Timestamps }): Record<string, string> {
  return {
    resourceType: input.resourceType,
    created: input.timestamps.createdAt.toISOString(),
    lastModified: input.timestamps.updatedAt.toISOString(),
    location: input.location,
    version: `W/"${input.timestamps.updatedAt.getTime().toString(36)}"`,
  };
}
