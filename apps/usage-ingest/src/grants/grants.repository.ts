import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AccessGrant } from '@attest/contracts';

@Injectable()
export class GrantsRepository {
  /**
   * Stores the announced state unless the held one is newer: access.grants.v1 is replayed from the
   * beginning and partitions interleave, so an older state must never overwrite a newer one.
   */
  async upsertUnlessOlder(tx: EntityManager, grant: AccessGrant): Promise<void> {
    await tx.query(
      `INSERT INTO usage_ingest.grants (grant_id, principal_id, api_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (grant_id) DO UPDATE
         SET principal_id = EXCLUDED.principal_id,
             api_id = EXCLUDED.api_id,
             status = EXCLUDED.status,
             created_at = EXCLUDED.created_at,
             updated_at = EXCLUDED.updated_at
         WHERE grants.updated_at <= EXCLUDED.updated_at`,
      [grant.grantId, grant.principalId, grant.apiId, grant.status, grant.createdAt, grant.updatedAt],
    );
  }
}
