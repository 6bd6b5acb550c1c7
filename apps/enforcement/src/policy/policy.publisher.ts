import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PolicyState, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { compilePolicy } from './domain/compile-policy';
import { PolicyRepository } from './policy.repository';
import { StateChangesRepository } from './state-changes.repository';

/**
 * The one place a principal's PolicyState is built: after any change to a principal's keys,
 * grants or status, it recompiles the full policy under a new version and writes it to the outbox
 * in the same transaction as the change, logging it so its enforcement can be confirmed.
 */
@Injectable()
export class PolicyPublisher {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly outbox: OutboxWriter,
    private readonly changes: StateChangesRepository,
  ) {}

  /** `above`: a version the new one must exceed (the reconciler's repair of a topic ahead of the database). */
  async publish(tx: EntityManager, principalId: string, options: { above?: number } = {}): Promise<PolicyState> {
    const source = await this.policies.bumpAndLoad(tx, { principalId, above: options.above });
    // Callers have already checked the principal exists in this transaction; a miss is a bug.
    if (!source) throw new Error(`cannot compile the policy of unknown principal ${principalId}`);
    const policy = compilePolicy(source);
    const envelope = await this.outbox.add(tx, { topic: TOPICS.policyState, key: principalId, data: policy });
    await this.changes.record(tx, { eventId: envelope.id, topic: TOPICS.policyState, subject: principalId, version: policy.version });
    return policy;
  }
}
