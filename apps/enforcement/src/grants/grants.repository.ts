import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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
      { status: grant.status, updatedAt: grant.updatedAt, revokedAt: grant.revokedAt },
    );
  }

  findByPrincipal(principalId: string): Promise<GrantEntity[]> {
    return this.dataSource.getRepository(GrantEntity).find({ where: { principalId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
