import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './keys.entity';

export interface KeyRef {
  id: string;
  prefix: string;
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

  findByPrincipal(principalId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { principalId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
