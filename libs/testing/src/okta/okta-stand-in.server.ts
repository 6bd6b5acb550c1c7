import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { compileOktaFilter, OktaFilterError } from './okta-filter';
import { DeliverOptions, EventHookDelivery, EventHookRegistration, OktaEventHooks, RegisteredEventHook } from './okta-event-hooks';
import { NewUser, OktaGroup, OktaLogEvent, OktaOrg, OktaUser, OktaUserProfile, SeedOptions, UserChange } from './okta-org';

export interface RateLimitOptions {
  /** Requests allowed per window (Okta budgets per endpoint; the stand-in keeps one budget for the whole org). */
  limit: number;
  windowSeconds: number;
}

export interface ScriptedFailure {
  /** Default 429. */
  status?: number;
  /** For a 429: `X-Rate-Limit-Reset` is now + this (epoch seconds); the SDK waits until then plus one second. Default 0. */
  resetInSeconds?: number;
}

export interface OktaStandInOptions {
  /** The API token accepted as `Authorization: SSWS <token>`. */
  token?: string;
  rateLimit?: RateLimitOptions;
}

export interface ServedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
}

interface Listing {
  body: unknown;
  /** Query of the `rel="next"` link, when there is one. */
  next?: URLSearchParams;
}

class OktaApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
  ) {
    super(errorSummary);
  }
}

const DAY_MS = 86_400_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const NOT_FOUND = (id: string, kind: string) => new OktaApiFailure(404, 'E0000007', `Not found: Resource not found: ${id} (${kind})`);

/**
 * A real HTTP server speaking the subset of Okta's Management API an identity mirror calls, so that the real
 * `@okta/okta-sdk-nodejs` Client (`{ orgUrl: standIn.url, token }`) runs against it unmodified: users, groups,
 * group members and the System Log, paged by `Link` headers, with `X-Rate-Limit-*` headers, a per-window budget,
 * scriptable 429s, and Event Hook verification and delivery.
 */
export class OktaStandIn {
  readonly token: string;
  readonly org = new OktaOrg();
  readonly eventHooks = new OktaEventHooks(() => this.url);
  readonly requests: ServedRequest[] = [];
  private server: Server | null = null;
  private port = 0;
  private budget: RateLimitOptions;
  private window = { startedAt: Date.now(), used: 0 };
  private readonly scripted: ScriptedFailure[] = [];

  constructor(options: OktaStandInOptions = {}) {
    this.token = options.token ?? 'okta-stand-in-token';
    this.budget = options.rateLimit ?? { limit: 100_000, windowSeconds: 60 };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  get rateLimitedCount(): number {
    return this.requests.filter((r) => r.status === 429).length;
  }

  get systemLog(): OktaLogEvent[] {
    return this.org.log.map((entry) => entry.event);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
    this.server = null;
  }

  /** Sets the per-window request budget and starts a fresh window. */
  rateLimit(options: RateLimitOptions): void {
    this.budget = options;
    this.window = { startedAt: Date.now(), used: 0 };
  }

  /** The next `count` API requests fail, whatever they ask for: a 429 (Okta's E0000047 body) unless another status is given. */
  failNext(count: number, failure: ScriptedFailure = {}): void {
    for (let i = 0; i < count; i++) this.scripted.push(failure);
  }

  seed(options: SeedOptions): { userIds: string[]; groupIds: string[] } {
    return this.org.seed(options);
  }

  addUser(user: NewUser): UserChange {
    return this.org.addUser(user);
  }

  updateUser(id: string, profile: Partial<OktaUserProfile>): UserChange {
    return this.org.updateUser(id, profile);
  }

  setStatus(id: string, status: 'ACTIVE' | 'SUSPENDED' | 'DEPROVISIONED'): UserChange {
    return this.org.setStatus(id, status);
  }

  deleteUser(id: string): UserChange {
    return this.org.deleteUser(id);
  }

  addGroup(profile: { name: string; description?: string }): { group: OktaGroup; events: OktaLogEvent[] } {
    return this.org.addGroup(profile);
  }

  addMembership(groupId: string, userId: string): { events: OktaLogEvent[] } {
    return this.org.addMembership(groupId, userId);
  }

  removeMembership(groupId: string, userId: string): { events: OktaLogEvent[] } {
    return this.org.removeMembership(groupId, userId);
  }

  registerEventHook(registration: EventHookRegistration): Promise<RegisteredEventHook> {
    return this.eventHooks.register(registration);
  }

  deliverEventHook(events: OktaLogEvent[], options?: DeliverOptions): Promise<EventHookDelivery> {
    return this.eventHooks.deliver(events, options);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const url = new URL(req.url ?? '/', this.url);
    const reply = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-okta-request-id': randomBytes(12).toString('base64url'), ...this.rateLimitHeaders(status), ...headers });
      res.end(JSON.stringify(body));
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, status });
    };
    const fail = (failure: OktaApiFailure, headers?: Record<string, string>) =>
      reply(failure.status, { errorCode: failure.errorCode, errorSummary: failure.errorSummary, errorLink: failure.errorCode, errorId: `oae${randomBytes(16).toString('base64url')}`, errorCauses: [] }, headers);

    const scripted = this.scripted.shift();
    if (scripted && (scripted.status ?? 429) !== 429) return fail(new OktaApiFailure(scripted.status!, 'E0000009', 'Internal Server Error'));
    if (scripted || !this.admit()) {
      const resetAt = scripted ? Math.floor(Date.now() / 1000) + (scripted.resetInSeconds ?? 0) : this.windowResetsAt();
      const headers = { 'x-rate-limit-limit': String(this.budget.limit), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAt) };
      return fail(new OktaApiFailure(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'), headers);
    }
    if (req.headers.authorization !== `SSWS ${this.token}`) return fail(new OktaApiFailure(401, 'E0000011', 'Invalid token provided'));
    if (req.method !== 'GET') return fail(new OktaApiFailure(405, 'E0000022', 'The endpoint does not support the provided HTTP method'));
    try {
      const listing = this.route(url);
      if (!Array.isArray(listing.body)) return reply(200, listing.body);
      const links = [`<${url.href}>; rel="self"`];
      if (listing.next) links.push(`<${this.url}${url.pathname}?${listing.next}>; rel="next"`);
      reply(200, listing.body, { link: links });
    } catch (error) {
      if (error instanceof OktaFilterError) return fail(new OktaApiFailure(400, 'E0000031', `Invalid search criteria. ${error.message}`));
      if (error instanceof OktaApiFailure) return fail(error);
      return fail(new OktaApiFailure(500, 'E0000009', `Internal Server Error: ${(error as Error).message}`));
    }
  }

  private route(url: URL): Listing {
    const query = url.searchParams;
    const path = url.pathname.replace(/\/$/, '');
    let match: RegExpMatchArray | null;
    if (path === '/api/v1/users') return this.listUsers(query);
    if ((match = path.match(/^\/api\/v1\/users\/([^/]+)$/))) {
      const user = this.org.userByIdOrLogin(decodeURIComponent(match[1]));
      if (!user) throw NOT_FOUND(match[1], 'User');
      return { body: this.renderUser(user) };
    }
    if ((match = path.match(/^\/api\/v1\/users\/([^/]+)\/groups$/))) {
      const user = this.org.userByIdOrLogin(decodeURIComponent(match[1]));
      if (!user) throw NOT_FOUND(match[1], 'User');
      const groups = [...this.org.groups.values()].filter((group) => this.org.members.get(group.id)!.has(user.id));
      return { body: groups.map((group) => this.renderGroup(group)) };
    }
    if (path === '/api/v1/groups') return this.listGroups(query);
    if ((match = path.match(/^\/api\/v1\/groups\/([^/]+)$/))) {
      const group = this.org.groups.get(match[1]);
      if (!group) throw NOT_FOUND(match[1], 'UserGroup');
      return { body: this.renderGroup(group) };
    }
    if ((match = path.match(/^\/api\/v1\/groups\/([^/]+)\/users$/))) {
      if (!this.org.groups.has(match[1])) throw NOT_FOUND(match[1], 'UserGroup');
      const members = this.org.memberIds(match[1]).map((id) => this.org.users.get(id)!);
      const page = pageAfter({ items: members, query, defaultLimit: 1000, maxLimit: 1000 });
      return { body: page.items.map((user) => this.renderUser(user)), next: page.next };
    }
    if (path === '/api/v1/logs') return this.listLogs(query);
    throw new OktaApiFailure(404, 'E0000007', `Not found: Resource not found: ${path} (Endpoint)`);
  }

  /** Without `search` or `filter`, Okta leaves DEPROVISIONED users out of the list; with either, they are included. */
  private listUsers(query: URLSearchParams): Listing {
    const expression = query.get('search') ?? query.get('filter');
    const where = expression ? compileOktaFilter(expression) : (user: OktaUser) => user.status !== 'DEPROVISIONED';
    const page = pageAfter({ items: this.org.users.values(), query, defaultLimit: 200, maxLimit: 200, where });
    return { body: page.items.map((user) => this.renderUser(user)), next: page.next };
  }

  private listGroups(query: URLSearchParams): Listing {
    const expression = query.get('search') ?? query.get('filter');
    const prefix = query.get('q')?.toLowerCase();
    const matchesExpression = expression ? compileOktaFilter(expression) : () => true;
    const where = (group: OktaGroup) => matchesExpression(group) && (!prefix || group.profile.name.toLowerCase().startsWith(prefix));
    const page = pageAfter({ items: this.org.groups.values(), query, defaultLimit: 10_000, maxLimit: 10_000, where });
    return { body: page.items.map((group) => this.renderGroup(group)), next: page.next };
  }

  /**
   * System Log: events with since <= published < until, oldest first. A request without `until` is a polling
   * request, and like Okta's it always answers a `next` link — the place to ask again, even when nothing new is there.
   */
  private listLogs(query: URLSearchParams): Listing {
    const until = query.get('until') ? parseTime(query.get('until')!, 'until') : undefined;
    const since = query.get('since') ? parseTime(query.get('since')!, 'since') : (until ?? Date.now()) - 7 * DAY_MS;
    const limit = clampLimit({ query, defaultLimit: 100, maxLimit: 1000 });
    const descending = query.get('sortOrder') === 'DESCENDING';
    const after = query.get('after');
    const afterSeq = after ? Number(after.split('_')[1]) : undefined;
    if (after && !Number.isInteger(afterSeq)) throw new OktaApiFailure(400, 'E0000001', 'Api validation failed: after');
    const where = query.get('filter') ? compileOktaFilter(query.get('filter')!) : () => true;
    const entries = descending ? [...this.org.log].reverse() : this.org.log;
    const selected = [];
    for (const entry of entries) {
      if (entry.publishedMs < since || (until !== undefined && entry.publishedMs >= until) || !where(entry.event)) continue;
      if (afterSeq !== undefined && (descending ? entry.seq >= afterSeq : entry.seq <= afterSeq)) continue;
      selected.push(entry);
      if (selected.length > limit) break;
    }
    const page = selected.slice(0, limit);
    const last = page[page.length - 1];
    const polling = until === undefined && !descending;
    let next: URLSearchParams | undefined;
    if (polling || selected.length > limit) {
      next = new URLSearchParams(query);
      if (last) next.set('after', `${last.publishedMs}_${last.seq}`);
    }
    return { body: page.map((entry) => entry.event), next };
  }

  private renderUser(user: OktaUser): unknown {
    const self = `${this.url}/api/v1/users/${user.id}`;
    return { ...user, _links: { self: { href: self }, type: { href: `${this.url}/api/v1/meta/types/user/${user.type.id}` }, schema: { href: `${this.url}/api/v1/meta/schemas/user/${user.type.id}` } } };
  }

  private renderGroup(group: OktaGroup): unknown {
    const self = `${this.url}/api/v1/groups/${group.id}`;
    return { ...group, _links: { self: { href: self }, users: { href: `${self}/users` }, apps: { href: `${self}/apps` } } };
  }

  /** Counts the request against the window's budget; false once the budget is spent. */
  private admit(): boolean {
    if (Date.now() >= this.window.startedAt + this.budget.windowSeconds * 1000) this.window = { startedAt: Date.now(), used: 0 };
    this.window.used++;
    return this.window.used <= this.budget.limit;
  }

  private windowResetsAt(): number {
    return Math.ceil((this.window.startedAt + this.budget.windowSeconds * 1000) / 1000);
  }

  private rateLimitHeaders(status: number): Record<string, string> {
    const remaining = status === 429 ? 0 : Math.max(0, this.budget.limit - this.window.used);
    return { 'x-rate-limit-limit': String(this.budget.limit), 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(this.windowResetsAt()) };
  }
}

/** Cursor paging as Okta does it: `after` is the last id of the previous page; items arrive in id order. */
function pageAfter<T extends { id: string }>(options: {
  items: Iterable<T>;
  query: URLSearchParams;
  defaultLimit: number;
  maxLimit: number;
  where?: (item: T) => boolean;
}): { items: T[]; next?: URLSearchParams } {
  const limit = clampLimit(options);
  const after = options.query.get('after') ?? '';
  const items: T[] = [];
  for (const item of options.items) {
    if (item.id <= after || (options.where && !options.where(item))) continue;
    items.push(item);
    if (items.length > limit) break;
  }
  if (items.length <= limit) return { items };
  items.pop();
  const next = new URLSearchParams(options.query);
  next.set('after', items[items.length - 1].id);
  return { items, next };
}

function clampLimit({ query, defaultLimit, maxLimit }: { query: URLSearchParams; defaultLimit: number; maxLimit: number }): number {
  const requested = Number(query.get('limit') ?? defaultLimit);
  if (!Number.isInteger(requested) || requested < 1) throw new OktaApiFailure(400, 'E0000001', 'Api validation failed: limit');
  return Math.min(requested, maxLimit);
}

/** Strict like Okta: the SDK passes a `Date` through as its `toString()`, which Okta rejects and so must we. */
function parseTime(value: string, name: string): number {
  const ms = ISO_8601.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new OktaApiFailure(400, 'E0000001', `Api validation failed: ${name} must be an ISO 8601 timestamp`);
  return ms;
}
