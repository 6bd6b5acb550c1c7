import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './keys.entity';

export interface KeyRef {
  id: string;
  prefix: string;
}

export interface PrincipalKeyRef extends KeyRef {
  principalId: string;
}

@Injectable()
export class KeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, key: ApiKeyEntity): Promise<void> {
    await tx.getRepository(ApiKeyEntity).insert(key);
  }

  findById(tx: EntityManager, id: string): Promise<ApiKeyEntity | null> {
    return tx.getRepository(ApiKeyEntity).findOneBy({ id });
  }

  /** Locks the key's row, so two revocations of one key serialise and only the first applies. */
  findForUpdate(tx: EntityManager, id: string): Promise<ApiKeyEntity | null> {
    return tx.getRepository(ApiKeyEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async markRevoked(tx: EntityManager, key: { id: string; revokedAt: Date }): Promise<void> {
    await tx.getRepository(ApiKeyEntity).update({ id: key.id }, { status: 'revoked', revokedAt: key.revokedAt });
  }

  /** Every active key of the principal becomes suspended, in one statement (a CTE, so the driver returns the rows). */
  suspendActive(tx: EntityManager, change: { principalId: string; at: Date }): Promise<KeyRef[]> {
    return tx.query(
      `WITH changed AS (
         UPDATE enforcement.api_keys SET status = 'suspended', suspended_at = $2
         WHERE principal_id = $1 AND status = 'active'
         RETURNING id, prefix, created_at
       )
       SELECT id, prefix FROM changed ORDER BY created_at, id`,
      [change.principalId, change.at],
    );
  }

  /** Every suspended key of the principal becomes active again, in one statement. */
  restoreSuspended(tx: EntityManager, principalId: string): Promise<KeyRef[]> {
    return tx.query(
      `WITH changed AS (
         UPDATE enforcement.api_keys SET status = 'active', suspended_at = NULL
         WHERE principal_id = $1 AND status = 'suspended'
         RETURNING id, prefix, created_at
       )
       SELECT id, prefix FROM changed ORDER BY created_at, id`,
      [principalId],
    );
  }

  /** The rotated key now works only until `expiresAt`, and names the key that replaced it. */
  async markRotated(tx: EntityManager, rotated: { id: string; expiresAt: Date; replacedBy: string }): Promise<void> {
    await tx.getRepository(ApiKeyEntity).update({ id: rotated.id }, { expiresAt: rotated.expiresAt, replacedBy: rotated.replacedBy });
  }

  /** Principals holding a key, not yet revoked, narrowed to the API alone. */
  async principalsNarrowedOnlyTo(tx: EntityManager, apiId: string): Promise<string[]> {
    const rows: Array<{ principal_id: string }> = await tx.query(
      `SELECT DISTINCT principal_id FROM enforcement.api_keys
       WHERE api_ids <@ ARRAY[$1]::uuid[] AND cardinality(api_ids) > 0 AND status <> 'revoked'`,
      [apiId],
    );
    return rows.map((row) => row.principal_id);
  }

  /** Revokes every key narrowed to the API alone, in one statement; keys that also reach other APIs keep working there. */
  revokeNarrowedOnlyTo(tx: EntityManager, change: { apiId: string; at: Date }): Promise<PrincipalKeyRef[]> {
    return tx.query(
      `WITH changed AS (
         UPDATE enforcement.api_keys SET status = 'revoked', revoked_at = $2
         WHERE api_ids <@ ARRAY[$1]::uuid[] AND cardinality(api_ids) > 0 AND status <> 'revoked'
         RETURNING id, prefix, principal_id, created_at
       )
       SELECT id, prefix, principal_id AS "principalId" FROM changed ORDER BY created_at, id`,
      [change.apiId, change.at],
    );
  }

  findByPrincipal(principalId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { principalId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
