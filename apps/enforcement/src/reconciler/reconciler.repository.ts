import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TOPICS } from '@attest/contracts';
import { ApiEntity } from '../apis/apis.entity';
import { PolicySource } from '../policy/domain/compile-policy';
import { PolicyRepository } from '../policy/policy.repository';

export interface DesiredSnapshot {
  policies: PolicySource[];
  apis: ApiEntity[];
  /** Principals and APIs with a state still waiting in the outbox. */
  inFlight: { policies: Set<string>; catalog: Set<string> };
}

/** One session-level lock for the whole cluster: one reconciler runs at a time, whatever the replica count. */
const RECONCILER_LOCK = 'attest:enforcement:reconciler';

@Injectable()
export class ReconcilerRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: PolicyRepository,
  ) {}

  /**
   * The desired state in one REPEATABLE READ snapshot, taken before the topics are read: a state
   * committed before it and no longer in the outbox is already on the topic, so the topic read
   * afterwards must show it.
   */
  snapshot(): Promise<DesiredSnapshot> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx: EntityManager) => {
      const policies = await this.policies.loadAll(tx);
      const apis = await tx.getRepository(ApiEntity).find({ order: { id: 'ASC' } });
      const pending: Array<{ topic: string; message_key: string }> = await tx.query(
        `SELECT DISTINCT topic, message_key FROM enforcement.outbox WHERE topic = ANY($1::text[])`,
        [[TOPICS.policyState, TOPICS.catalogState]],
      );
      const keysOf = (topic: string) => new Set(pending.filter((row) => row.topic === topic).map((row) => row.message_key));
      return { policies, apis, inFlight: { policies: keysOf(TOPICS.policyState), catalog: keysOf(TOPICS.catalogState) } };
    });
  }

  /** Runs `work` holding the reconciler lock; returns null without running it when another replica holds it. */
  async withLock<T>(work: () => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: Array<{ locked: boolean }> = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
        RECONCILER_LOCK,
      ]);
      if (!locked) return null;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [RECONCILER_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }
}
