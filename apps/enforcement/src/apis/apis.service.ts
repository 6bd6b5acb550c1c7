import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogState, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/postgres-errors';
import { CreateApiDto } from './dto/create-api.dto';
import { ApiEntity } from './apis.entity';
import { ApiError } from './apis.errors';
import { ApisRepository } from './apis.repository';

export interface ApiView extends Omit<CatalogState, 'apiId' | 'sunsetAt'> {
  id: string;
  ownerEmail: string;
  sunsetAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The API catalog: every change is published as the API's full state on catalog.state.v1. */
@Injectable()
export class ApisService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apis: ApisRepository,
    private readonly outbox: OutboxWriter,
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
      version: 1,
      routes: dto.routes,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.dataSource.transaction(async (tx) => {
        await this.apis.insert(tx, api);
        await this.outbox.add(tx, { topic: TOPICS.catalogState, key: api.id, data: catalogStateOf(api) });
        await this.audit.record(tx, {
          actor: ADMIN_ACTOR,
          action: 'api.created',
          targetType: 'api',
          targetId: api.id,
          details: { name: api.name, basePath: api.basePath, routes: api.routes.length },
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
    const api = await this.require(id);
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
      rateLimit: null,
      quota: null,
      createdAt: api.createdAt.toISOString(),
      updatedAt: api.updatedAt.toISOString(),
    };
  }

  /** The API, or a 404-mapped error; `tx` lets a caller read it inside its own transaction. */
  async require(id: string, tx?: EntityManager): Promise<ApiEntity> {
    const api = await this.apis.findById(id, tx);
    if (!api) throw new ApiError('APIS.NOT_FOUND', `no API with id ${id}`);
    return api;
  }
}

function catalogStateOf(api: ApiEntity): CatalogState {
  return {
    apiId: api.id,
    name: api.name,
    basePath: api.basePath,
    upstreamUrl: api.upstreamUrl,
    status: api.status,
    sunsetAt: api.sunsetAt?.toISOString() ?? null,
    version: api.version,
    rateLimit: null,
    quota: null,
    routes: api.routes,
  };
}
