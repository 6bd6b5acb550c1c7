import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PolicyState, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { compilePolicy } from './domain/compile-policy';
import { PolicyRepository } from './policy.repository';

/**
 * The one place a principal's PolicyState is built: after any change to a principal's keys,
 * grants or status, it recompiles the full policy under a new version and writes it to the outbox
 * in the same transaction as the change.
 */
@Injectable()
export class PolicyPublisher {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async publish(tx: EntityManager, principalId: string): Promise<PolicyState> {
    const source = await this.policies.bumpAndLoad(tx, principalId);
    // Callers have already checked the principal exists in this transaction; a miss is a bug.
    if (!source) throw new Error(`cannot compile the policy of unknown principal ${principalId}`);
    const policy = compilePolicy(source);
    await this.outbox.add(tx, { topic: TOPICS.policyState, key: principalId, data: policy });
    return policy;
  }
}
