import { randomUUID } from 'node:crypto';

export type OktaUserStatus = 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

export interface OktaUserProfile {
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName?: string;
  department?: string;
  title?: string;
  employeeNumber?: string;
  /** The manager's Okta user id in seeded data (Okta itself treats it as a free-form string). */
  managerId?: string | null;
  /** The manager's display name. */
  manager?: string | null;
  [attribute: string]: unknown;
}

/** A user as Okta's Management API returns it (`_links` are added per response, they name the org URL). */
export interface OktaUser {
  id: string;
  status: OktaUserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  type: { id: string };
  profile: OktaUserProfile;
  credentials: { provider: { type: 'OKTA'; name: 'OKTA' } };
}

export interface OktaGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  type: 'OKTA_GROUP';
  profile: { name: string; description: string | null };
}

export interface OktaLogActor {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: Record<string, unknown> | null;
}

export interface OktaLogTarget extends OktaLogActor {
  changeDetails?: { from: Record<string, unknown>; to: Record<string, unknown> };
}

export type OktaLogEventType =
  | 'user.lifecycle.create'
  | 'user.lifecycle.activate'
  | 'user.lifecycle.deactivate'
  | 'user.lifecycle.suspend'
  | 'user.lifecycle.unsuspend'
  | 'user.lifecycle.delete.initiated'
  | 'user.account.update_profile'
  | 'group.lifecycle.create'
  | 'group.user_membership.add'
  | 'group.user_membership.remove';

/** A System Log event (`GET /api/v1/logs`), also the element of an Event Hook's `data.events`. */
export interface OktaLogEvent {
  uuid: string;
  published: string;
  eventType: OktaLogEventType | string;
  version: string;
  displayMessage: string;
  severity: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  legacyEventType: string | null;
  actor: OktaLogActor;
  client: Record<string, unknown>;
  authenticationContext: Record<string, unknown>;
  securityContext: Record<string, unknown>;
  debugContext: { debugData: Record<string, unknown> };
  outcome: { result: 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ALLOW' | 'DENY' | 'CHALLENGE' | 'UNKNOWN'; reason: string | null };
  target: OktaLogTarget[];
  transaction: { type: string; id: string; detail: Record<string, unknown> };
  request: { ipChain: unknown[] };
}

export interface SeedOptions {
  users: number;
  groups?: number;
  /** Members drawn (deterministically) for each group; default min(20, users). */
  membershipsPerGroup?: number;
  /** Direct reports per manager in the generated reporting tree; default 8. */
  managerFanOut?: number;
  /** Changes which users land in which groups; default 1. */
  seed?: number;
}

export interface NewUser {
  profile: Partial<OktaUserProfile> & Pick<OktaUserProfile, 'firstName' | 'lastName'>;
  /** `ACTIVE` (default) logs create + activate, like `POST /api/v1/users?activate=true`; `STAGED` logs create only. */
  status?: 'ACTIVE' | 'STAGED';
}

export interface UserChange {
  user: OktaUser;
  events: OktaLogEvent[];
}

export interface LogEntry {
  seq: number;
  publishedMs: number;
  event: OktaLogEvent;
}

const USER_TYPE_ID = 'oty1stand1in0usr0typ';
const ADMIN: OktaLogActor = { id: '00u0stand0in0admin01', type: 'User', alternateId: 'admin@okta-stand-in.test', displayName: 'Stand-in Admin', detailEntry: null };
const SEED_EPOCH_MS = Date.parse('2024-01-01T00:00:00.000Z');
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'People', 'Security', 'Product', 'Operations', 'Data', 'Design'];
const FIRST_NAMES = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'John', 'Karen', 'Donald', 'Shafi', 'Leslie', 'Annie', 'Guido'];
const LAST_NAMES = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Backus', 'Jones', 'Knuth', 'Goldwasser', 'Lamport', 'Easley', 'Rossum'];

const DISPLAY_MESSAGES: Record<OktaLogEventType, string> = {
  'user.lifecycle.create': 'Create Okta user',
  'user.lifecycle.activate': 'Activate Okta user',
  'user.lifecycle.deactivate': 'Deactivate Okta user',
  'user.lifecycle.suspend': 'Suspend Okta user',
  'user.lifecycle.unsuspend': 'Unsuspend Okta user',
  'user.lifecycle.delete.initiated': 'Delete Okta user',
  'user.account.update_profile': 'Update user profile for Okta',
  'group.lifecycle.create': 'Create okta user group',
  'group.user_membership.add': 'Add user to group membership',
  'group.user_membership.remove': 'Remove user from group membership',
};

/** Okta ids are 20 characters; ours encode a creation counter so that id order is creation order, which the `after` cursors rely on. */
function oktaId(kind: 'u' | 'g', ordinal: number): string {
  return `00${kind}${ordinal.toString(36).padStart(12, '0')}st4nd`;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The in-memory Okta org behind the stand-in: users, groups, memberships and the System Log its changes append to. */
export class OktaOrg {
  /** Insertion order is id order (see `oktaId`), so paging can resume after any id, even a deleted one. */
  readonly users = new Map<string, OktaUser>();
  readonly groups = new Map<string, OktaGroup>();
  readonly members = new Map<string, Set<string>>();
  readonly log: LogEntry[] = [];
  private readonly logins = new Map<string, string>();
  private nextUser = 1;
  private nextGroup = 1;

  /** Replaces the org's contents with a deterministic directory: a reporting tree with departments, and groups with members. */
  seed(options: SeedOptions): { userIds: string[]; groupIds: string[] } {
    this.clear();
    const fanOut = options.managerFanOut ?? 8;
    const userIds: string[] = [];
    for (let i = 0; i < options.users; i++) {
      // The CEO has one report per department; below them each manager has `fanOut` reports in the same department.
      const heads = DEPARTMENTS.length;
      const managerIndex = i === 0 ? null : i <= heads ? 0 : Math.floor((i - heads - 1) / fanOut) + 1;
      const manager = managerIndex === null ? null : this.users.get(userIds[managerIndex])!;
      const department = i === 0 ? 'Executive' : i <= heads ? DEPARTMENTS[i - 1] : manager!.profile.department!;
      const firstName = FIRST_NAMES[i % FIRST_NAMES.length];
      const lastName = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length];
      const at = new Date(SEED_EPOCH_MS + i * 60_000).toISOString();
      const user = this.insertUser({
        status: 'ACTIVE',
        at,
        profile: {
          firstName,
          lastName,
          login: `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
          displayName: `${firstName} ${lastName}`,
          department,
          title: i === 0 ? 'Chief Executive Officer' : i <= heads ? 'Head of ' + department : i <= heads + heads * fanOut ? 'Manager' : 'Specialist',
          employeeNumber: String(100000 + i),
          managerId: manager?.id ?? null,
          manager: manager?.profile.displayName ?? null,
        },
      });
      user.lastLogin = i % 7 === 0 ? null : new Date(SEED_EPOCH_MS + i * 60_000 + 86_400_000).toISOString();
      userIds.push(user.id);
    }
    const random = mulberry32(options.seed ?? 1);
    const perGroup = Math.min(options.membershipsPerGroup ?? 20, userIds.length);
    const groupIds: string[] = [];
    for (let g = 0; g < (options.groups ?? 0); g++) {
      const department = DEPARTMENTS[g % DEPARTMENTS.length];
      const at = new Date(SEED_EPOCH_MS + g * 60_000).toISOString();
      const group = this.insertGroup({ name: `${department.toLowerCase()}-${String(g).padStart(4, '0')}`, description: `${department} team ${g}`, at });
      const members = this.members.get(group.id)!;
      while (members.size < perGroup) members.add(userIds[Math.floor(random() * userIds.length)]);
      groupIds.push(group.id);
    }
    return { userIds, groupIds };
  }

  clear(): void {
    this.users.clear();
    this.groups.clear();
    this.members.clear();
    this.logins.clear();
    this.log.length = 0;
    this.nextUser = 1;
    this.nextGroup = 1;
  }

  userByIdOrLogin(idOrLogin: string): OktaUser | undefined {
    return this.users.get(idOrLogin) ?? this.users.get(this.logins.get(idOrLogin.toLowerCase()) ?? '');
  }

  /** Member ids of a group in id order, for cursor paging. */
  memberIds(groupId: string): string[] {
    return [...(this.members.get(groupId) ?? [])].sort();
  }

  addUser({ profile, status = 'ACTIVE' }: NewUser): UserChange {
    const login = profile.login ?? `${profile.firstName}.${profile.lastName}.${this.nextUser}@example.com`.toLowerCase();
    const user = this.insertUser({
      status,
      at: new Date().toISOString(),
      profile: { email: login, displayName: `${profile.firstName} ${profile.lastName}`, managerId: null, manager: null, ...profile, login },
    });
    const events = [this.append('user.lifecycle.create', [userTarget(user)])];
    if (status === 'ACTIVE') events.push(this.append('user.lifecycle.activate', [userTarget(user)]));
    return { user, events };
  }

  updateUser(id: string, profile: Partial<OktaUserProfile>): UserChange {
    const user = this.requireUser(id);
    const from: Record<string, unknown> = {};
    for (const key of Object.keys(profile)) from[key] = user.profile[key] ?? null;
    if (profile.login && profile.login !== user.profile.login) {
      this.logins.delete(user.profile.login.toLowerCase());
      this.logins.set(profile.login.toLowerCase(), id);
    }
    Object.assign(user.profile, profile);
    user.lastUpdated = new Date().toISOString();
    const target = { ...userTarget(user), changeDetails: { from, to: { ...profile } } };
    return { user, events: [this.append('user.account.update_profile', [target])] };
  }

  /** Moves a user the way Okta's lifecycle operations do, logging the event each transition emits. */
  setStatus(id: string, status: 'ACTIVE' | 'SUSPENDED' | 'DEPROVISIONED'): UserChange {
    const user = this.requireUser(id);
    if (user.status === status) return { user, events: [] };
    let eventType: OktaLogEventType;
    if (status === 'DEPROVISIONED') eventType = 'user.lifecycle.deactivate';
    else if (status === 'SUSPENDED') {
      if (user.status !== 'ACTIVE') throw new Error(`Okta only suspends ACTIVE users; ${id} is ${user.status}`);
      eventType = 'user.lifecycle.suspend';
    } else eventType = user.status === 'SUSPENDED' ? 'user.lifecycle.unsuspend' : 'user.lifecycle.activate';
    const now = new Date().toISOString();
    user.status = status;
    user.statusChanged = now;
    user.lastUpdated = now;
    if (eventType === 'user.lifecycle.activate') user.activated = now;
    return { user, events: [this.append(eventType, [userTarget(user)])] };
  }

  /** Okta deletes only deactivated users, so an active one is deactivated first (two events), then removed with its memberships. */
  deleteUser(id: string): UserChange {
    const { user, events } = this.setStatus(id, 'DEPROVISIONED');
    events.push(this.append('user.lifecycle.delete.initiated', [userTarget(user)]));
    this.users.delete(id);
    this.logins.delete(user.profile.login.toLowerCase());
    for (const members of this.members.values()) members.delete(id);
    return { user, events };
  }

  addGroup(profile: { name: string; description?: string }): { group: OktaGroup; events: OktaLogEvent[] } {
    const group = this.insertGroup({ ...profile, at: new Date().toISOString() });
    return { group, events: [this.append('group.lifecycle.create', [groupTarget(group)])] };
  }

  addMembership(groupId: string, userId: string): { events: OktaLogEvent[] } {
    return this.changeMembership({ groupId, userId, add: true });
  }

  removeMembership(groupId: string, userId: string): { events: OktaLogEvent[] } {
    return this.changeMembership({ groupId, userId, add: false });
  }

  /** Appends a System Log event; tests may use it for event types the mutators above do not cover. */
  append(eventType: OktaLogEventType | string, target: OktaLogTarget[], overrides: Partial<OktaLogEvent> = {}): OktaLogEvent {
    const published = new Date();
    const transactionId = randomUUID().replace(/-/g, '').slice(0, 24);
    const event: OktaLogEvent = {
      uuid: randomUUID(),
      published: published.toISOString(),
      eventType,
      version: '0',
      displayMessage: DISPLAY_MESSAGES[eventType as OktaLogEventType] ?? eventType,
      severity: 'INFO',
      legacyEventType: null,
      actor: ADMIN,
      client: { userAgent: { rawUserAgent: 'okta-stand-in', os: 'Unknown', browser: 'UNKNOWN' }, zone: 'null', device: 'Unknown', id: null, ipAddress: '127.0.0.1', geographicalContext: null },
      authenticationContext: { authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, interface: null, authenticationStep: 0, externalSessionId: 'unknown' },
      securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
      debugContext: { debugData: { requestId: transactionId } },
      outcome: { result: 'SUCCESS', reason: null },
      target,
      transaction: { type: 'WEB', id: transactionId, detail: {} },
      request: { ipChain: [] },
      ...overrides,
    };
    this.log.push({ seq: this.log.length + 1, publishedMs: Date.parse(event.published), event });
    return event;
  }

  private changeMembership({ groupId, userId, add }: { groupId: string; userId: string; add: boolean }): { events: OktaLogEvent[] } {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`no group ${groupId}`);
    const user = this.requireUser(userId);
    const members = this.members.get(groupId)!;
    if (members.has(userId) === add) return { events: [] };
    if (add) members.add(userId);
    else members.delete(userId);
    group.lastMembershipUpdated = new Date().toISOString();
    const eventType = add ? 'group.user_membership.add' : 'group.user_membership.remove';
    return { events: [this.append(eventType, [userTarget(user), groupTarget(group)])] };
  }

  private insertUser({ status, at, profile }: { status: OktaUserStatus; at: string; profile: Partial<OktaUserProfile> & { login: string; firstName: string; lastName: string } }): OktaUser {
    if (this.logins.has(profile.login.toLowerCase())) throw new Error(`login ${profile.login} is taken`);
    const id = oktaId('u', this.nextUser++);
    const active = status === 'ACTIVE';
    const user: OktaUser = {
      id,
      status,
      created: at,
      activated: active ? at : null,
      statusChanged: active ? at : null,
      lastLogin: null,
      lastUpdated: at,
      passwordChanged: active ? at : null,
      type: { id: USER_TYPE_ID },
      profile: { email: profile.login, ...profile },
      credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    };
    this.users.set(id, user);
    this.logins.set(profile.login.toLowerCase(), id);
    return user;
  }

  private insertGroup({ name, description, at }: { name: string; description?: string; at: string }): OktaGroup {
    const group: OktaGroup = {
      id: oktaId('g', this.nextGroup++),
      created: at,
      lastUpdated: at,
      lastMembershipUpdated: at,
      objectClass: ['okta:user_group'],
      type: 'OKTA_GROUP',
      profile: { name, description: description ?? null },
    };
    this.groups.set(group.id, group);
    this.members.set(group.id, new Set());
    return group;
  }

  private requireUser(id: string): OktaUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }
}

function userTarget(user: OktaUser): OktaLogTarget {
  return { id: user.id, type: 'User', alternateId: user.profile.login, displayName: user.profile.displayName ?? `${user.profile.firstName} ${user.profile.lastName}`, detailEntry: null };
}

function groupTarget(group: OktaGroup): OktaLogTarget {
  return { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name, detailEntry: null };
}
