import { Client, DefaultRequestExecutor, Group, LogEvent, User } from '@okta/okta-sdk-nodejs';
import type { RequestOptions } from '@okta/okta-sdk-nodejs/src/types/request-options';
import type { Collection } from '@okta/okta-sdk-nodejs/src/types/collection';
import { RateLimitBudget, RateLimitHeaders } from './rate-limit.budget';

export interface OktaSettings {
  orgUrl: string;
  token: string;
  maxRetries: number;
  /** Requests per window bulk reads leave for live reads (hooks, System Log). */
  reserve: number;
  usersPageSize: number;
  groupsPageSize: number;
  membersPageSize: number;
}

/** One page of an Okta listing and the cursor of the next (null on the last page). */
export interface OktaPage<T> {
  items: T[];
  after: string | null;
}

export class OktaDisabledError extends Error {
  constructor() {
    super('Okta is not configured (OKTA_ORG_URL)');
  }
}

/** An SDK request executor that also keeps the shared rate-limit budget and counts its 429 waits. */
class BudgetedRequestExecutor extends DefaultRequestExecutor {
  constructor(
    private readonly budget: RateLimitBudget,
    private readonly reserve: number,
    maxRetries: number,
  ) {
    // A request timeout above 0 is measured across retries and pages by this SDK version, so it stays off.
    super({ maxRetries, requestTimeout: 0 });
    this.on('response', (response: { headers: RateLimitHeaders }) => budget.observe(response.headers));
    this.on('backoff', (_request: unknown, _response: unknown, _requestId: unknown, delayMs: number) => budget.recordBackoff(delayMs));
  }

  override fetch(request: RequestOptions) {
    return this.budget.admit(this.reserve).then(() => super.fetch(request));
  }
}

/**
 * The Okta Management API through the official SDK, one page per call so callers can commit and persist
 * a cursor after each. Bulk reads (full sync) keep a reserve of each rate-limit window free for live reads
 * (Event Hooks, System Log), which share the same budget.
 */
export class OktaClient {
  readonly budget = new RateLimitBudget();
  private readonly bulk: Client | null;
  private readonly live: Client | null;

  constructor(private readonly settings: OktaSettings | null) {
    const client = (reserve: number) =>
      new Client({
        orgUrl: settings!.orgUrl,
        token: settings!.token,
        // The SDK's default cache keeps single-resource reads forever; a mirror must read fresh data.
        cacheMiddleware: null,
        requestExecutor: new BudgetedRequestExecutor(this.budget, reserve, settings!.maxRetries),
      });
    this.bulk = settings ? client(settings.reserve) : null;
    this.live = settings ? client(0) : null;
  }

  get enabled(): boolean {
    return this.settings !== null;
  }

  get orgUrl(): string | null {
    return this.settings?.orgUrl ?? null;
  }

  /** Users in id order; Okta leaves DEPROVISIONED users out of a plain listing, so they are a search of their own. */
  async usersPage(request: { after: string | null; deprovisioned: boolean }): Promise<OktaPage<User>> {
    const { bulk, settings } = this.require();
    const collection = await bulk.userApi.listUsers({
      limit: settings.usersPageSize,
      ...(request.after ? { after: request.after } : {}),
      ...(request.deprovisioned ? { search: 'status eq "DEPROVISIONED"' } : {}),
    });
    return readPage(collection);
  }

  async groupsPage(request: { after: string | null }): Promise<OktaPage<Group>> {
    const { bulk, settings } = this.require();
    const collection = await bulk.groupApi.listGroups({ limit: settings.groupsPageSize, ...(request.after ? { after: request.after } : {}) });
    return readPage(collection);
  }

  async groupMembersPage(request: { groupOktaId: string; after: string | null }): Promise<OktaPage<User>> {
    const { bulk, settings } = this.require();
    const collection = await bulk.groupApi.listGroupUsers({
      groupId: request.groupOktaId,
      limit: settings.membersPageSize,
      ...(request.after ? { after: request.after } : {}),
    });
    return readPage(collection);
  }

  /** The user as Okta knows it now, or null once Okta has deleted it. */
  async getUser(oktaId: string): Promise<User | null> {
    const { live } = this.require();
    return live.userApi.getUser({ userId: oktaId }).catch(nullWhenNotFound);
  }

  /** Every group the user belongs to, or null once Okta has deleted the user. */
  async userGroups(oktaId: string): Promise<Group[] | null> {
    const { live } = this.require();
    try {
      const groups: Group[] = [];
      const collection = await live.userApi.listUserGroups({ userId: oktaId });
      await collection.each((group) => {
        groups.push(group);
      });
      return groups;
    } catch (error) {
      return nullWhenNotFound(error);
    }
  }

  async getGroup(oktaId: string): Promise<Group | null> {
    const { live } = this.require();
    return live.groupApi.getGroup({ groupId: oktaId }).catch(nullWhenNotFound);
  }

  /**
   * One page of the System Log, oldest first, from a persisted position. A polling request (no `until`)
   * always gets a next link from Okta, whose `after` is where to ask next time.
   */
  async systemLogPage(request: { since: Date; after: string | null; limit: number }): Promise<OktaPage<LogEvent>> {
    const { live } = this.require();
    const collection = await live.systemLogApi.listLogEvents({
      // The SDK would send a Date as its toString(), which Okta rejects.
      since: request.since.toISOString(),
      sortOrder: 'ASCENDING',
      limit: request.limit,
      ...(request.after ? { after: request.after } : {}),
    });
    return readPage(collection);
  }

  private require(): { bulk: Client; live: Client; settings: OktaSettings } {
    if (!this.settings || !this.bulk || !this.live) throw new OktaDisabledError();
    return { bulk: this.bulk, live: this.live, settings: this.settings };
  }
}

async function readPage<T>(collection: Collection<T>): Promise<OktaPage<T>> {
  const items = (await collection.getNextPage()) as unknown as T[];
  return { items, after: cursorOf(collection.nextUri) };
}

/** The `after` cursor of a next link, which is how Okta pages every listing the mirror reads. */
export function cursorOf(nextUri: string | undefined): string | null {
  if (!nextUri) return null;
  return new URL(nextUri).searchParams.get('after');
}

function nullWhenNotFound(error: unknown): null {
  if ((error as { status?: number }).status === 404) return null;
  throw error;
}

/** A 429 the SDK gave up on: when Okta says the window resets, in epoch milliseconds of our clock. */
export function rateLimitResetOf(error: unknown): number | null {
  const failure = error as { status?: number; headers?: RateLimitHeaders };
  if (failure.status !== 429) return null;
  const reset = Number(failure.headers?.get?.('x-rate-limit-reset'));
  const serverNow = Date.parse(failure.headers?.get?.('date') ?? '');
  if (!Number.isFinite(reset)) return Date.now() + 1000;
  return reset * 1000 + (Number.isNaN(serverNow) ? 0 : Date.now() - serverNow);
}
