import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './keys.entity';

@Injectable()
export class KeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, key: ApiKeyEntity): Promise<void> {
    await tx.getRepository(ApiKeyEntity).insert(key);
  }

  /** Locks the key's row, so two revocations of one key serialise and only the first applies. */
  findForUpdate(tx: EntityManager, id: string): Promise<ApiKeyEntity | null> {
    return tx.getRepository(ApiKeyEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async markRevoked(tx: EntityManager, key: { id: string; revokedAt: Date }): Promise<void> {
    await tx.getRepository(ApiKeyEntity).update({ id: key.id }, { status: 'revoked', revokedAt: key.revokedAt });
  }

  findByPrincipal(principalId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { principalId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
