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

  /**
   * Locks the principal's row: every change to a principal's status, keys or grants takes this lock
   * first, so lifecycle events, review decisions and admin restores apply one after the other.
   */
  findForUpdate(tx: EntityManager, id: string): Promise<PrincipalEntity | null> {
    return tx.getRepository(PrincipalEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Case-insensitive, through the expression index on lower(email). */
  findByEmail(email: string): Promise<PrincipalEntity[]> {
    return this.dataSource
      .getRepository(PrincipalEntity)
      .createQueryBuilder('principal')
      .where('lower(principal.email) = lower(:email)', { email })
      .orderBy('principal.createdAt', 'ASC')
      .addOrderBy('principal.id', 'ASC')
      .getMany();
  }

  /** Writes the facts and lifecycle state of an existing principal (never its policy version, which the policy publisher owns). */
  async update(tx: EntityManager, principal: PrincipalEntity): Promise<void> {
    await tx.getRepository(PrincipalEntity).update(
      { id: principal.id },
      {
        type: principal.type,
        displayName: principal.displayName,
        email: principal.email,
        status: principal.status,
        externalId: principal.externalId,
        source: principal.source,
        heldPendingReview: principal.heldPendingReview,
        identityObservedAt: principal.identityObservedAt,
        updatedAt: principal.updatedAt,
      },
    );
  }
}
