import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PrincipalEntity } from './principals.entity';

@Injectable()
export class PrincipalsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, principal: PrincipalEntity): Promise<void> {
    await tx.getRepository(PrincipalEntity).insert(principal);
  }

  findById(id: string, tx: EntityManager = this.dataSource.manager): Promise<PrincipalEntity | null> {
    return tx.getRepository(PrincipalEntity).findOneBy({ id });
  }
}
