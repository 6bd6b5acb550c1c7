import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { GrantEntity } from './grants.entity';

@Injectable()
export class GrantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, grant: GrantEntity): Promise<void> {
    await tx.getRepository(GrantEntity).insert(grant);
  }

  findById(id: string, tx: EntityManager = this.dataSource.manager): Promise<GrantEntity | null> {
    return tx.getRepository(GrantEntity).findOneBy({ id });
  }

  /** Locks the grant's row, so concurrent decisions on one grant apply one after the other. */
  findForUpdate(tx: EntityManager, id: string): Promise<GrantEntity | null> {
    return tx.getRepository(GrantEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findActive(tx: EntityManager, pair: { principalId: string; apiId: string }): Promise<GrantEntity | null> {
    return tx.getRepository(GrantEntity).findOneBy({ ...pair, status: 'active' });
  }

  async save(tx: EntityManager, grant: GrantEntity): Promise<void> {
    await tx.getRepository(GrantEntity).update(
      { id: grant.id },
      {
        status: grant.status,
        updatedAt: grant.updatedAt,
        revokedAt: grant.revokedAt,
        orphanedAt: grant.orphanedAt,
        heldPendingReview: grant.heldPendingReview,
      },
    );
  }

  /** Every active grant of the principal becomes orphaned, in one statement; returns them as they are now. */
  async orphanActive(tx: EntityManager, change: { principalId: string; held: boolean; at: Date }): Promise<GrantEntity[]> {
    const rows: Array<{ id: string }> = await tx.query(
      // A CTE, so the driver returns the rows themselves rather than [rows, count] as for a bare UPDATE.
      `WITH changed AS (
         UPDATE enforcement.grants SET status = 'orphaned', orphaned_at = $2, updated_at = $2, held_pending_review = $3
         WHERE principal_id = $1 AND status = 'active'
         RETURNING id
       )
       SELECT id FROM changed`,
      [change.principalId, change.at, change.held],
    );
    return this.loadByIds(tx, rows);
  }

  /** Orphaned grants held pending review stop working; their announced state does not change. */
  async releaseHeld(tx: EntityManager, principalId: string): Promise<number> {
    const rows: unknown[] = await tx.query(
      `WITH changed AS (
         UPDATE enforcement.grants SET held_pending_review = false
         WHERE principal_id = $1 AND status = 'orphaned' AND held_pending_review
         RETURNING id
       )
       SELECT id FROM changed`,
      [principalId],
    );
    return rows.length;
  }

  findOrphaned(tx: EntityManager, principalId: string): Promise<GrantEntity[]> {
    return tx.getRepository(GrantEntity).find({ where: { principalId, status: 'orphaned' }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Orphaned grants of the principal (all, or the one named) become active again, in one statement.
   * One grant per API at most, and none where the principal meanwhile got a new active grant on that
   * API: the partial unique index allows one active grant per principal and API.
   */
  async restoreOrphaned(tx: EntityManager, change: { principalId: string; grantId?: string; at: Date }): Promise<GrantEntity[]> {
    const rows: Array<{ id: string }> = await tx.query(
      `WITH candidates AS (
         SELECT DISTINCT ON (g.api_id) g.id
         FROM enforcement.grants g
         WHERE g.principal_id = $1 AND g.status = 'orphaned' AND ($2::uuid IS NULL OR g.id = $2::uuid)
           AND NOT EXISTS (
             SELECT 1 FROM enforcement.grants a
             WHERE a.principal_id = g.principal_id AND a.api_id = g.api_id AND a.status = 'active'
           )
         ORDER BY g.api_id, g.updated_at DESC, g.id
       ), changed AS (
         UPDATE enforcement.grants g
         SET status = 'active', orphaned_at = NULL, held_pending_review = false, updated_at = $3
         FROM candidates c WHERE g.id = c.id
         RETURNING g.id
       )
       SELECT id FROM changed`,
      [change.principalId, change.grantId ?? null, change.at],
    );
    return this.loadByIds(tx, rows);
  }

  /** Principals holding a grant on the API that is active or orphaned: the ones its retirement changes. */
  async holdersOf(tx: EntityManager, apiId: string): Promise<string[]> {
    const rows: Array<{ principal_id: string }> = await tx.query(
      `SELECT DISTINCT principal_id FROM enforcement.grants WHERE api_id = $1 AND status IN ('active', 'orphaned')`,
      [apiId],
    );
    return rows.map((row) => row.principal_id);
  }

  /** Revokes every active or orphaned grant on the API, in one statement; returns them as they are now. */
  async revokeOnApi(tx: EntityManager, change: { apiId: string; at: Date }): Promise<GrantEntity[]> {
    const rows: Array<{ id: string }> = await tx.query(
      `WITH changed AS (
         UPDATE enforcement.grants SET status = 'revoked', revoked_at = $2, updated_at = $2, held_pending_review = false
         WHERE api_id = $1 AND status IN ('active', 'orphaned')
         RETURNING id
       )
       SELECT id FROM changed`,
      [change.apiId, change.at],
    );
    return this.loadByIds(tx, rows);
  }

  findByPrincipal(principalId: string): Promise<GrantEntity[]> {
    return this.dataSource.getRepository(GrantEntity).find({ where: { principalId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  private async loadByIds(tx: EntityManager, rows: Array<{ id: string }>): Promise<GrantEntity[]> {
    if (rows.length === 0) return [];
    return tx.getRepository(GrantEntity).find({ where: { id: In(rows.map((row) => row.id)) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
