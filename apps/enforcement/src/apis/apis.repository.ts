import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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
}
