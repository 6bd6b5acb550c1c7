import { ScimProtocolError } from './scim-protocol.error';

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The SCIM attributes of a user the mirror keeps. */
export interface ScimUserState {
  userName: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  email: string | null;
  active: boolean;
  externalId: string | null;
  title: string | null;
  department: string | null;
  managerId: string | null;
}

export interface ScimGroupState {
  displayName: string;
  externalId: string | null;
  members: string[];
}

export interface ScimPatchOperation {
  op: string;
  path?: string | null;
  value?: unknown;
}

type Op = 'add' | 'replace' | 'remove';

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;
const ENTERPRISE_PREFIX = ENTERPRISE_USER.toLowerCase();
/** `emails[type eq "work"].value`, `members[value eq "…"]`: a multi-valued attribute narrowed by one comparison. */
const VALUE_PATH = /^([A-Za-z][\w]*)\[\s*([A-Za-z][\w]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\](?:\.([A-Za-z][\w]*))?$/i;

/**
 * Applies an RFC 7644 PatchOp to a user. Operation names are case-insensitive and booleans may arrive as
 * strings, because Entra ID sends `{"op":"Replace","path":"active","value":"False"}`; a path-less op carries
 * an object of attributes (`{"op":"replace","value":{"active":false}}`). Attributes the mirror does not keep
 * (phone numbers, addresses...) are accepted and ignored, so a provisioning client's mapping never fails on them.
 */
export function applyUserPatch(state: ScimUserState, operations: readonly ScimPatchOperation[]): ScimUserState {
  const next = { ...state };
  for (const operation of operations) {
    const op = opOf(operation.op);
    if (!operation.path) {
      if (op === 'remove') throw new ScimProtocolError('noTarget', 'a remove operation needs a path');
      setUserAttributes({ state: next, value: operation.value });
      continue;
    }
    const path = operation.path.trim().replace(CORE_PREFIX, '');
    const target = userTarget(path);
    if (op === 'remove') removeUserAttribute(next, target);
    else setUserAttribute({ state: next, target, value: operation.value });
  }
  if (!next.userName) throw new ScimProtocolError('invalidValue', 'userName is required');
  return next;
}

/** Applies a PatchOp to a group: displayName, externalId and member add/remove/replace (Entra's and Okta's forms). */
export function applyGroupPatch(state: ScimGroupState, operations: readonly ScimPatchOperation[]): ScimGroupState {
  const next = { ...state, members: [...state.members] };
  for (const operation of operations) {
    const op = opOf(operation.op);
    const path = operation.path?.trim().replace(CORE_PREFIX, '') ?? '';
    if (!path) {
      if (op === 'remove') throw new ScimProtocolError('noTarget', 'a remove operation needs a path');
      const value = objectValue(operation.value);
      for (const [key, attribute] of Object.entries(value)) {
        const name = key.replace(CORE_PREFIX, '').toLowerCase();
        if (name === 'members') next.members = op === 'add' ? union(next.members, memberIds(attribute)) : memberIds(attribute);
        else setGroupAttribute(next, name, attribute);
      }
      continue;
    }
    const narrowed = VALUE_PATH.exec(path);
    if (narrowed) {
      const [, attribute, filterAttribute, filterValue, sub] = narrowed;
      if (attribute.toLowerCase() !== 'members' || filterAttribute.toLowerCase() !== 'value' || sub) {
        throw new ScimProtocolError('invalidPath', `unsupported path "${path}"`);
      }
      if (op !== 'remove') throw new ScimProtocolError('invalidPath', `"${path}" can only be removed`);
      next.members = next.members.filter((id) => id !== unescape(filterValue));
      continue;
    }
    const name = path.toLowerCase();
    if (name === 'members') {
      if (op === 'add') next.members = union(next.members, memberIds(operation.value));
      else if (op === 'replace') next.members = memberIds(operation.value);
      else {
        // Entra removes named members with a value list; no value removes them all.
        const removed = operation.value === undefined || operation.value === null ? null : new Set(memberIds(operation.value));
        next.members = removed ? next.members.filter((id) => !removed.has(id)) : [];
      }
    } else if (op === 'remove') {
      if (name === 'displayname') throw new ScimProtocolError('mutability', 'displayName is required');
      setGroupAttribute(next, name, null);
    } else setGroupAttribute(next, name, operation.value);
  }
  return next;
}

/** Accepts a boolean, or the strings "true"/"false" in any case (Entra sends "False"). */
export function scimBoolean(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimProtocolError('invalidValue', `${attribute} must be a boolean`);
}

type UserTarget =
  | { kind: 'userName' | 'displayName' | 'givenName' | 'familyName' | 'email' | 'externalId' | 'title' | 'department' | 'managerId' | 'active' }
  | { kind: 'name' | 'emails' | 'enterprise' }
  | { kind: 'ignored' };

function userTarget(path: string): UserTarget {
  const lower = path.toLowerCase();
  if (lower.startsWith(ENTERPRISE_PREFIX)) {
    const rest = lower.slice(ENTERPRISE_PREFIX.length);
    if (rest === '') return { kind: 'enterprise' };
    if (rest === ':department') return { kind: 'department' };
    if (rest === ':manager' || rest === ':manager.value') return { kind: 'managerId' };
    return { kind: 'ignored' };
  }
  const narrowed = VALUE_PATH.exec(path);
  if (narrowed) {
    const [, attribute, , , sub] = narrowed;
    if (attribute.toLowerCase() === 'emails' && (!sub || sub.toLowerCase() === 'value')) return { kind: 'email' };
    return { kind: 'ignored' };
  }
  if (!/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)?$/.test(path)) throw new ScimProtocolError('invalidPath', `cannot parse path "${path}"`);
  switch (lower) {
    case 'username':
      return { kind: 'userName' };
    case 'displayname':
      return { kind: 'displayName' };
    case 'name':
      return { kind: 'name' };
    case 'name.givenname':
      return { kind: 'givenName' };
    case 'name.familyname':
      return { kind: 'familyName' };
    case 'emails':
      return { kind: 'emails' };
    case 'emails.value':
      return { kind: 'email' };
    case 'externalid':
      return { kind: 'externalId' };
    case 'title':
      return { kind: 'title' };
    case 'active':
      return { kind: 'active' };
    default:
      return { kind: 'ignored' };
  }
}

function setUserAttribute(input: { state: ScimUserState; target: UserTarget; value: unknown }): void {
  const { state, target, value } = input;
  switch (target.kind) {
    case 'ignored':
      return;
    case 'active':
      state.active = scimBoolean(value, 'active');
      return;
    case 'userName': {
      const userName = text(value, 'userName');
      if (!userName) throw new ScimProtocolError('invalidValue', 'userName is required');
      state.userName = userName;
      return;
    }
    case 'name':
      setUserAttributes({ state, value: { name: value } });
      return;
    case 'emails':
      state.email = primaryEmail(value);
      return;
    case 'enterprise':
      setUserAttributes({ state, value: { [ENTERPRISE_USER]: value } });
      return;
    case 'managerId':
      state.managerId = managerValue(value);
      return;
    default:
      state[target.kind] = text(value, target.kind);
  }
}

function removeUserAttribute(state: ScimUserState, target: UserTarget): void {
  switch (target.kind) {
    case 'ignored':
      return;
    case 'userName':
    case 'active':
      throw new ScimProtocolError('mutability', `${target.kind} cannot be removed`);
    case 'name':
      state.givenName = null;
      state.familyName = null;
      return;
    case 'emails':
      state.email = null;
      return;
    case 'enterprise':
      state.department = null;
      state.managerId = null;
      return;
    default:
      state[target.kind] = null;
  }
}

/** A path-less add/replace: each key of the object is an attribute (or a whole schema extension). */
function setUserAttributes(input: { state: ScimUserState; value: unknown }): void {
  const value = objectValue(input.value);
  for (const [key, attribute] of Object.entries(value)) {
    const path = key.replace(CORE_PREFIX, '');
    if (path.toLowerCase() === ENTERPRISE_PREFIX) {
      for (const [extensionKey, extensionValue] of Object.entries(objectValue(attribute))) {
        setUserAttribute({ state: input.state, target: userTarget(`${ENTERPRISE_USER}:${extensionKey}`), value: extensionValue });
      }
    } else if (path.toLowerCase() === 'name') {
      for (const [nameKey, nameValue] of Object.entries(objectValue(attribute))) {
        setUserAttribute({ state: input.state, target: userTarget(`name.${nameKey}`), value: nameValue });
      }
    } else {
      setUserAttribute({ state: input.state, target: userTarget(path), value: attribute });
    }
  }
}

function setGroupAttribute(state: ScimGroupState, name: string, value: unknown): void {
  if (name === 'displayname') {
    const displayName = text(value, 'displayName');
    if (!displayName) throw new ScimProtocolError('invalidValue', 'displayName is required');
    state.displayName = displayName;
  } else if (name === 'externalid') state.externalId = text(value, 'externalId');
}

function opOf(op: unknown): Op {
  const lower = typeof op === 'string' ? op.toLowerCase() : '';
  if (lower === 'add' || lower === 'replace' || lower === 'remove') return lower;
  throw new ScimProtocolError('invalidSyntax', `unknown patch op "${String(op)}"`);
}

function objectValue(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ScimProtocolError('invalidValue', 'a path-less operation needs an object value');
}

function text(value: unknown, attribute: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new ScimProtocolError('invalidValue', `${attribute} must be a string`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The primary e-mail of an `emails` list (or the first one). */
export function primaryEmail(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw new ScimProtocolError('invalidValue', 'emails must be a list');
  const emails = value.filter((entry): entry is { value: unknown; primary?: unknown } => !!entry && typeof entry === 'object');
  const chosen = emails.find((entry) => entry.primary === true || entry.primary === 'true' || entry.primary === 'True') ?? emails[0];
  return chosen ? text(chosen.value, 'emails.value') : null;
}

/** A manager is `{"value": "<id>"}` in the schema, but clients also send the bare id. */
export function managerValue(value: unknown): string | null {
  if (value && typeof value === 'object') return text((value as { value?: unknown }).value ?? null, 'manager.value');
  return text(value, 'manager');
}

function memberIds(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry) => {
    const id = entry && typeof entry === 'object' ? (entry as { value?: unknown }).value : entry;
    if (typeof id !== 'string' || !id) throw new ScimProtocolError('invalidValue', 'each member needs a value (the member id)');
    return id;
  });
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function unescape(value: string): string {
  return JSON.parse(`"${value}"`) as string;
}
