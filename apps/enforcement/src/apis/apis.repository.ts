import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { ApiEntity } from './apis.entity';

@Injectable()
export class ApisRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, api: ApiEntity): Promise<void> {
    await tx.getRepository(ApiEntity).insert(api);
  }

  findById(id: string, tx: EntityManager = this.dataSource.manager): Promise<ApiEntity | null> {
    return tx.getRepository(ApiEntity).findOneBy({ id });
  }

  /** Locks the API's row: lifecycle changes (update, deprecate, retire) of one API apply one after the other. */
  findForUpdate(tx: EntityManager, id: string): Promise<ApiEntity | null> {
    return tx.getRepository(ApiEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Share-locks the APIs (in id order, so two lockers never deadlock) until `tx` ends: a grant or a
   * narrowed key being made cannot slip past a concurrent retirement of one of them.
   */
  findForShare(tx: EntityManager, ids: string[]): Promise<ApiEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return tx.getRepository(ApiEntity).find({ where: { id: In(ids) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_read' } });
  }

  /** Every scope routed by an API that is not retired. */
  async scopesInCatalog(tx: EntityManager): Promise<Set<string>> {
    const rows: Array<{ scope: string }> = await tx.query(
      `SELECT DISTINCT route->>'scope' AS scope FROM enforcement.apis, jsonb_array_elements(routes) AS route WHERE status <> 'retired'`,
    );
    return new Set(rows.map((row) => row.scope));
  }

  /** Writes what an admin may change and the lifecycle; never the version, which the catalog publisher owns. */
  async update(tx: EntityManager, api: ApiEntity): Promise<void> {
    await tx.getRepository(ApiEntity).update(
      { id: api.id },
      {
        upstreamUrl: api.upstreamUrl,
        ownerEmail: api.ownerEmail,
        routes: api.routes,
        rateLimit: api.rateLimit,
        quota: api.quota,
        status: api.status,
        sunsetAt: api.sunsetAt,
        deprecatedAt: api.deprecatedAt,
        retiredAt: api.retiredAt,
        retireReason: api.retireReason,
        updatedAt: api.updatedAt,
      },
    );
  }

  /** Bumps the catalog version (past `above`, a version seen elsewhere) and returns the API as it is now. */
  async bumpVersion(tx: EntityManager, bump: { id: string; above?: number }): Promise<ApiEntity | null> {
    await tx.query(`UPDATE enforcement.apis SET version = greatest(version, $2) + 1 WHERE id = $1`, [bump.id, bump.above ?? 0]);
    return this.findById(bump.id, tx);
  }
}
