import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ApiRoute, CatalogState, Quota, RateLimit } from '@attest/contracts';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/postgres-errors';
import { canonicalJson } from '../policy/domain/canonical-json';
import { UsageRepository } from '../usage/usage.repository';
import { ApiEntity, ApiStatus } from './apis.entity';
import { ApiError } from './apis.errors';
import { ApisRepository } from './apis.repository';
import { CatalogPublisher } from './catalog.publisher';
import { consumerWindowStart, lifecycleRefusal, unusedSince } from './domain/api-lifecycle';
import { CreateApiDto } from './dto/create-api.dto';
import { DeprecateApiDto } from './dto/deprecate-api.dto';
import { UpdateApiDto } from './dto/update-api.dto';

export interface ApiView {
  id: string;
  name: string;
  basePath: string;
  upstreamUrl: string;
  ownerEmail: string;
  status: ApiStatus;
  sunsetAt: string | null;
  version: number;
  routes: ApiRoute[];
  rateLimit: RateLimit | null;
  quota: Quota | null;
  deprecatedAt: string | null;
  retiredAt: string | null;
  retireReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiConsumer {
  keyId: string;
  prefix: string;
  keyName: string;
  keyOwner: string | null;
  keyStatus: string;
  principal: { id: string; displayName: string; email: string | null };
  lastUsedAt: string;
  requests: number;
}

export interface ApiConsumers {
  apiId: string;
  status: ApiStatus;
  sunsetAt: string | null;
  /** Calls at or after this time count. */
  since: string;
  owner: { email: string };
  consumers: ApiConsumer[];
  /** Everyone to tell: the API owner, then each calling key's owner (or its principal's e-mail). */
  contacts: string[];
}

export interface UnusedApi {
  id: string;
  name: string;
  basePath: string;
  ownerEmail: string;
  status: ApiStatus;
  createdAt: string;
  /** null: never called. */
  lastUsedAt: string | null;
}

type ApiChange = keyof UpdateApiDto;

/** The API catalog: every change is published as the API's full state on catalog.state.v1. */
@Injectable()
export class ApisService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apis: ApisRepository,
    private readonly catalog: CatalogPublisher,
    private readonly usage: UsageRepository,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateApiDto): Promise<{ id: string }> {
    const now = new Date();
    const api: ApiEntity = {
      id: randomUUID(),
      name: dto.name,
      basePath: dto.basePath,
      upstreamUrl: dto.upstreamUrl,
      ownerEmail: dto.ownerEmail,
      status: 'active',
      sunsetAt: null,
      // The catalog publisher bumps it to 1 as it publishes the first state.
      version: 0,
      routes: dto.routes,
      rateLimit: dto.rateLimit,
      quota: dto.quota,
      deprecatedAt: null,
      retiredAt: null,
      retireReason: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.dataSource.transaction(async (tx) => {
        await this.apis.insert(tx, api);
        await this.catalog.publish(tx, api.id);
        await this.audit.record(tx, {
          actor: ADMIN_ACTOR,
          action: 'api.created',
          targetType: 'api',
          targetId: api.id,
          details: { name: api.name, basePath: api.basePath, routes: api.routes.length, rateLimit: api.rateLimit, quota: api.quota },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_apis_base_path')) {
        throw new ApiError('APIS.BASE_PATH_TAKEN', `basePath ${dto.basePath} is already used by another API`);
      }
      throw error;
    }
    return { id: api.id };
  }

  async get(id: string): Promise<ApiView> {
    return viewOf(await this.require(id));
  }

  /** Changes limits, upstream, routes or owner and republishes the API under a new version; a patch that changes nothing publishes nothing. */
  async update(id: string, dto: UpdateApiDto): Promise<ApiView> {
    return this.dataSource.transaction(async (tx) => {
      const api = await this.lockChangeable(tx, { id, action: 'update' });
      const next: ApiEntity = {
        ...api,
        upstreamUrl: dto.upstreamUrl ?? api.upstreamUrl,
        routes: dto.routes ?? api.routes,
        ownerEmail: dto.ownerEmail ?? api.ownerEmail,
        rateLimit: dto.rateLimit === undefined ? api.rateLimit : dto.rateLimit,
        quota: dto.quota === undefined ? api.quota : dto.quota,
      };
      const changed = (Object.keys(dto) as ApiChange[]).filter(
        (field) => dto[field] !== undefined && canonicalJson(api[field]) !== canonicalJson(next[field]),
      );
      if (changed.length === 0) return viewOf(api);
      next.updatedAt = new Date();
      await this.apis.update(tx, next);
      await this.catalog.publish(tx, api.id);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'api.updated',
        targetType: 'api',
        targetId: api.id,
        details: { changed, ...Object.fromEntries(changed.map((field) => [field, field === 'routes' ? next.routes.length : next[field]])) },
      });
      return viewOf((await this.apis.findById(api.id, tx))!);
    });
  }

  /** Announces the sunset: the gateway adds `Deprecation` and `Sunset` headers; deprecating again moves the sunset. */
  async deprecate(id: string, dto: DeprecateApiDto): Promise<ApiView> {
    return this.dataSource.transaction(async (tx) => {
      const api = await this.lockChangeable(tx, { id, action: 'deprecate' });
      const now = new Date();
      const next: ApiEntity = {
        ...api,
        status: 'deprecated',
        sunsetAt: new Date(dto.sunsetAt),
        deprecatedAt: api.deprecatedAt ?? now,
        updatedAt: now,
      };
      await this.apis.update(tx, next);
      await this.catalog.publish(tx, api.id);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'api.deprecated',
        targetType: 'api',
        targetId: api.id,
        details: { sunsetAt: next.sunsetAt!.toISOString(), previousSunsetAt: api.sunsetAt?.toISOString() ?? null },
      });
      return viewOf((await this.apis.findById(api.id, tx))!);
    });
  }

  /** The keys still calling the API (since its deprecation, or in the last `days` days), with who to tell. */
  async consumers(id: string, days: number): Promise<ApiConsumers> {
    const api = await this.require(id);
    const since = consumerWindowStart({ now: new Date(), days, deprecatedAt: api.deprecatedAt });
    const rows = await this.usage.consumersOf({ apiId: api.id, since });
    const consumers = rows.map((row) => ({
      keyId: row.keyId,
      prefix: row.prefix,
      keyName: row.keyName,
      keyOwner: row.keyOwner,
      keyStatus: row.keyStatus,
      principal: { id: row.principalId, displayName: row.principalDisplayName, email: row.principalEmail },
      lastUsedAt: row.lastUsedAt.toISOString(),
      requests: row.requests,
    }));
    const contacts = [api.ownerEmail, ...rows.map((row) => row.keyOwner ?? row.principalEmail)].filter(
      (email): email is string => email !== null,
    );
    return {
      apiId: api.id,
      status: api.status,
      sunsetAt: api.sunsetAt?.toISOString() ?? null,
      since: since.toISOString(),
      owner: { email: api.ownerEmail },
      consumers,
      contacts: [...new Map(contacts.map((email) => [email.toLowerCase(), email])).values()],
    };
  }

  /** APIs (not retired) without a call in the last `days` days: never called and older than that, or last called before. */
  async unused(days: number): Promise<{ days: number; since: string; items: UnusedApi[] }> {
    const since = unusedSince({ now: new Date(), days });
    const rows = await this.usage.unusedSince(since);
    return {
      days,
      since: since.toISOString(),
      items: rows.map((row) => ({
        id: row.id,
        name: row.name,
        basePath: row.basePath,
        ownerEmail: row.ownerEmail,
        status: row.status as ApiStatus,
        createdAt: row.createdAt.toISOString(),
        lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      })),
    };
  }

  /** The API, or a 404-mapped error; `tx` lets a caller read it inside its own transaction. */
  async require(id: string, tx?: EntityManager): Promise<ApiEntity> {
    const api = await this.apis.findById(id, tx);
    if (!api) throw new ApiError('APIS.NOT_FOUND', `no API with id ${id}`);
    return api;
  }

  /** The API locked against lifecycle changes until `tx` ends; 404 when unknown, 409 when it may not change any more. */
  async lockChangeable(tx: EntityManager, input: { id: string; action: 'update' | 'deprecate' | 'retire' }): Promise<ApiEntity> {
    const api = await this.apis.findForUpdate(tx, input.id);
    if (!api) throw new ApiError('APIS.NOT_FOUND', `no API with id ${input.id}`);
    const refusal = lifecycleRefusal({ status: api.status, action: input.action });
    if (refusal) throw new ApiError('APIS.RETIRED', `API ${api.id} ${refusal}`);
    return api;
  }

  /**
   * Share-locks the APIs a grant or key will name, in id order, until `tx` ends (taken before the
   * principal's lock, the order every such change follows), so a retirement in flight waits or is
   * waited for. Returns the ones found; the caller decides what a missing one means.
   */
  lockShared(tx: EntityManager, ids: string[]): Promise<ApiEntity[]> {
    return this.apis.findForShare(tx, [...new Set(ids)].sort());
  }

  /** Every scope routed by an API that is not retired. */
  scopesInCatalog(tx: EntityManager): Promise<Set<string>> {
    return this.apis.scopesInCatalog(tx);
  }

  /** Publishes the API's current state under a new version, in the caller's transaction. */
  publish(tx: EntityManager, apiId: string, options: { above?: number } = {}): Promise<CatalogState> {
    return this.catalog.publish(tx, apiId, options);
  }

  /** The API with its row locked until `tx` ends, whatever its status, or null: for republishing it as it is. */
  lockExisting(tx: EntityManager, id: string): Promise<ApiEntity | null> {
    return this.apis.findForUpdate(tx, id);
  }

  /** Marks a locked API retired, inside the caller's transaction; the caller publishes. */
  async markRetired(tx: EntityManager, input: { api: ApiEntity; reason: string; at: Date }): Promise<void> {
    await this.apis.update(tx, { ...input.api, status: 'retired', retiredAt: input.at, retireReason: input.reason, updatedAt: input.at });
  }

}

export function viewOf(api: ApiEntity): ApiView {
  return {
    id: api.id,
    name: api.name,
    basePath: api.basePath,
    upstreamUrl: api.upstreamUrl,
    ownerEmail: api.ownerEmail,
    status: api.status,
    sunsetAt: api.sunsetAt?.toISOString() ?? null,
    version: api.version,
    routes: api.routes,
    rateLimit: api.rateLimit,
    quota: api.quota,
    deprecatedAt: api.deprecatedAt?.toISOString() ?? null,
    retiredAt: api.retiredAt?.toISOString() ?? null,
    retireReason: api.retireReason,
    createdAt: api.createdAt.toISOString(),
    updatedAt: api.updatedAt.toISOString(),
  };
}
