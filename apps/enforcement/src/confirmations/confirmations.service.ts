import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { GatewayApplied, TOPICS } from '@attest/contracts';
import { ApisService } from '../apis/apis.service';
import { EnforcementConfig } from '../config';
import { EnforcementMetrics } from '../metrics/enforcement.metrics';
import { StateChangesRepository, StateChangeView, StateTopic } from '../policy/state-changes.repository';
import { PrincipalsService } from '../principals/principals.service';
import { ReplicaState, replicaState } from './domain/replica-state';
import { ListChangesQuery } from './dto/list-changes.query';
import { HeartbeatsRepository } from './heartbeats.repository';

export interface ReplicaView {
  gatewayId: string;
  startedAt: string;
  lastSeenAt: string;
  ready: boolean;
  lag: number;
  stalenessMs: number;
  state: ReplicaState;
}

export interface PolicyStatus {
  /** Heartbeats older than this make a replica silent. */
  silentAfterMs: number;
  replicas: ReplicaView[];
  /** Published or pending states not yet applied by every live replica. */
  unconfirmed: { count: number; oldestCreatedAt: string | null };
}

export interface StateChanges {
  topic: StateTopic;
  subject: string;
  items: StateChangeView[];
}

/**
 * Confirms enforcement: takes in every gateway replica's heartbeat and marks each published policy
 * and catalog state enforced once every live replica has read past it.
 */
@Injectable()
export class ConfirmationsService implements OnModuleInit {
  private readonly silentAfterMs: number;
  private readonly forgetAfterMs: number;

  constructor(
    private readonly heartbeats: HeartbeatsRepository,
    private readonly changes: StateChangesRepository,
    private readonly principals: PrincipalsService,
    private readonly apis: ApisService,
    private readonly metrics: EnforcementMetrics,
    config: ConfigService<EnforcementConfig, true>,
  ) {
    this.silentAfterMs = config.get('REPLICA_SILENT_AFTER_MS', { infer: true });
    this.forgetAfterMs = config.get('REPLICA_FORGET_AFTER_MS', { infer: true });
  }

  onModuleInit(): void {
    this.metrics.observeOnScrape({
      name: 'attest_gateway_replicas',
      help: 'Gateway replicas heard from recently, by state (silent: stopped confirming)',
      labelNames: ['state'],
      observe: async () => {
        const replicas = (await this.status()).replicas;
        return (['live', 'silent'] as const).map((state) => ({
          labels: { state },
          value: replicas.filter((replica) => replica.state === state).length,
        }));
      },
    });
    this.metrics.observeOnScrape({
      name: 'attest_state_changes_unconfirmed',
      help: 'Published policy and catalog states not yet applied by every live gateway replica',
      observe: async () => [{ value: (await this.heartbeats.unconfirmed()).count }],
    });
    this.metrics.observeOnScrape({
      name: 'attest_state_changes_unconfirmed_oldest_age_seconds',
      help: 'Age of the oldest policy or catalog state not yet applied by every live gateway replica (0: none)',
      observe: async () => {
        const oldest = (await this.heartbeats.unconfirmed()).oldestCreatedAt;
        return [{ value: oldest ? (Date.now() - oldest.getTime()) / 1000 : 0 }];
      },
    });
  }

  /** In the transaction that records the heartbeat as processed; an older heartbeat than the one held changes nothing. */
  async applyHeartbeat(tx: EntityManager, heartbeat: GatewayApplied): Promise<void> {
    if (!(await this.heartbeats.upsertReplica(tx, heartbeat))) return;
    await this.heartbeats.locatePublished(tx);
    await this.heartbeats.confirmEnforced(tx, { at: heartbeat.at, silentAfterMs: this.silentAfterMs });
  }

  async status(): Promise<PolicyStatus> {
    const now = new Date();
    const replicas = await this.heartbeats.recentReplicas(new Date(now.getTime() - this.forgetAfterMs));
    const unconfirmed = await this.heartbeats.unconfirmed();
    return {
      silentAfterMs: this.silentAfterMs,
      replicas: replicas.map((replica) => ({
        gatewayId: replica.id,
        startedAt: replica.startedAt.toISOString(),
        lastSeenAt: replica.lastSeenAt.toISOString(),
        ready: replica.ready,
        lag: Number(replica.lag),
        stalenessMs: replica.stalenessMs,
        state: replicaState({ lastSeenAt: replica.lastSeenAt, now, silentAfterMs: this.silentAfterMs }),
      })),
      unconfirmed: { count: unconfirmed.count, oldestCreatedAt: unconfirmed.oldestCreatedAt?.toISOString() ?? null },
    };
  }

  /** The policy changes of a principal or the catalog changes of an API, newest first; 404 for an unknown one. */
  async list(query: ListChangesQuery): Promise<StateChanges> {
    const subject = query.principalId
      ? { topic: TOPICS.policyState, id: (await this.principals.require(query.principalId)).id }
      : { topic: TOPICS.catalogState, id: (await this.apis.require(query.apiId!)).id };
    const items = await this.changes.list({ topic: subject.topic, subject: subject.id, limit: query.limit });
    return { topic: subject.topic, subject: subject.id, items };
  }
}
