import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ReviewDecision } from '@attest/contracts';
import { Decision } from './decisions.entity';

@Injectable()
export class DecisionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, decision: ReviewDecision): Promise<void> {
    await tx.getRepository(Decision).insert({ ...decision, decidedAt: new Date(decision.decidedAt) });
  }

  async findById(decisionId: string): Promise<ReviewDecision | null> {
    const row = await this.dataSource.getRepository(Decision).findOneBy({ decisionId });
    if (!row) return null;
    return {
      decisionId: row.decisionId,
      grantId: row.grantId,
      decision: row.decision,
      reviewer: row.reviewer,
      reason: row.reason,
      decidedAt: row.decidedAt.toISOString(),
    };
  }
}
