import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AccessGrant } from '@attest/contracts';
import { Grant } from './grants.entity';

@Injectable()
export class GrantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores the announced state unless the held one is newer: access.grants.v1 is replayed from the
   * beginning and partitions interleave, so an older state must never overwrite a newer one.
   */
  async upsertUnlessOlder(tx: EntityManager, grant: AccessGrant): Promise<void> {
    await tx.query(
      `INSERT INTO review_scheduler.grants (grant_id, principal_id, api_id, scopes, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7)
       ON CONFLICT (grant_id) DO UPDATE
         SET principal_id = EXCLUDED.principal_id,
             api_id = EXCLUDED.api_id,
             scopes = EXCLUDED.scopes,
             status = EXCLUDED.status,
             created_at = EXCLUDED.created_at,
             updated_at = EXCLUDED.updated_at
         WHERE grants.updated_at <= EXCLUDED.updated_at`,
      [grant.grantId, grant.principalId, grant.apiId, grant.scopes, grant.status, grant.createdAt, grant.updatedAt],
    );
  }

  async exists(tx: EntityManager, grantId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`SELECT 1 FROM review_scheduler.grants WHERE grant_id = $1`, [grantId]);
    return rows.length > 0;
  }

  /** Every grant of a principal as last announced, orphaned and revoked ones included. */
  findByPrincipal(principalId: string): Promise<Grant[]> {
    return this.dataSource.getRepository(Grant).find({ where: { principalId }, order: { createdAt: 'ASC', grantId: 'ASC' } });
  }
}
