import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ReviewDecision, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { GrantsRepository } from '../grants/grants.repository';
import { DecisionsRepository } from './decisions.repository';
import { DecisionsError } from './decisions.error';
import { RecordDecisionRequest } from './dto/record-decision.dto';

@Injectable()
export class DecisionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantsRepository,
    private readonly decisions: DecisionsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Records the decision and its event together, so enforcement hears of exactly the decisions we kept. */
  async record(request: RecordDecisionRequest): Promise<ReviewDecision> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.grants.exists(tx, request.grantId))) {
        throw new DecisionsError('DECISIONS.GRANT_NOT_FOUND', `grant ${request.grantId} is not known`);
      }
      const decision: ReviewDecision = {
        decisionId: randomUUID(),
        grantId: request.grantId,
        decision: request.decision,
        reviewer: request.reviewer,
        reason: request.reason,
        decidedAt: new Date().toISOString(),
      };
      await this.decisions.insert(tx, decision);
      await this.outbox.add(tx, { topic: TOPICS.reviewDecisions, key: decision.grantId, data: decision });
      return decision;
    });
  }

  async get(decisionId: string): Promise<ReviewDecision> {
    const decision = await this.decisions.findById(decisionId);
    if (!decision) throw new DecisionsError('DECISIONS.NOT_FOUND', `decision ${decisionId} does not exist`);
    return decision;
  }
}
