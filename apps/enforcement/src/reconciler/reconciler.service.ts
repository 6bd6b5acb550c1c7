import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { Topic, TOPICS } from '@attest/contracts';
import { partitionOf } from '@attest/messaging';
import { ApisService } from '../apis/apis.service';
import { catalogStateOf } from '../apis/domain/catalog-state';
import { AuditService } from '../audit/audit.service';
import { EnforcementConfig } from '../config';
import { EnforcementMetrics, RepairKind } from '../metrics/enforcement.metrics';
import { compilePolicy } from '../policy/domain/compile-policy';
import { PolicyPublisher } from '../policy/policy.publisher';
import { PrincipalsService } from '../principals/principals.service';
import { DesiredState, Drift, findDrifts, observe, unknownSubjects } from './domain/drift';
import { ReconcilerRepository } from './reconciler.repository';
import { TopicSnapshotReader } from './topic-snapshot.reader';

export const RECONCILER_ACTOR = 'reconciler';

export type StateKind = 'policy' | 'catalog';

export interface Repair extends Drift {
  stateKind: StateKind;
  /** The version republished; null when the subject changed meanwhile and its own new state is on the way. */
  publishedVersion: number | null;
}

export interface ReconcileRun {
  result: 'ok' | 'skipped';
  repairs: Repair[];
  unknown: { policies: number; catalog: number };
  /** Partitions the run could not read to their end: their subjects were left for the next run. */
  unread: string[];
}

/**
 * Compares the database (desired state) with what the compacted policy and catalog topics give a
 * gateway that rebuilds from them, and republishes what drifted under a new version taken from the
 * database, which only grows: a revoked grant cannot come back through a replay, a restart, a
 * reordering or a stray record. Runs every RECONCILE_INTERVAL_MS on one replica at a time.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconcilerService.name);
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ReconcilerRepository,
    private readonly topics: TopicSnapshotReader,
    private readonly principals: PrincipalsService,
    private readonly apis: ApisService,
    private readonly policy: PolicyPublisher,
    private readonly audit: AuditService,
    private readonly metrics: EnforcementMetrics,
    config: ConfigService<EnforcementConfig, true>,
  ) {
    this.intervalMs = config.get('RECONCILE_INTERVAL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Before the database and the broker close: a run in progress stops reading and finishes its current repair. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /** One comparison and repair; concurrent calls share the run in progress. */
  runOnce(): Promise<ReconcileRun> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running as Promise<ReconcileRun>;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: Error) => {
          // A run cut short by shutdown is not a failure worth an operator's attention.
          if (!this.stopped) this.logger.error(`reconciler run failed: ${error.message}`);
        })
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async run(): Promise<ReconcileRun> {
    const started = Date.now();
    try {
      const run = await this.repository.withLock(() => this.compareAndRepair());
      if (run === null) {
        this.metrics.countRun({ result: 'skipped' });
        return { result: 'skipped', repairs: [], unknown: { policies: 0, catalog: 0 }, unread: [] };
      }
      this.metrics.countRun({ result: 'ok', durationMs: Date.now() - started });
      return run;
    } catch (error) {
      if (!this.stopped) this.metrics.countRun({ result: 'failed', durationMs: Date.now() - started });
      throw error;
    }
  }

  private async compareAndRepair(): Promise<ReconcileRun> {
    // The database first, then the topics: what the snapshot holds as published must be on the topics read after it.
    const desired = await this.repository.snapshot();
    const read = await this.topics.read(this.abort.signal);

    const desiredPolicies: DesiredState[] = desired.policies.map((source) => ({
      id: source.principalId,
      version: source.version,
      state: compilePolicy(source),
    }));
    const desiredCatalog: DesiredState[] = desired.apis.map((api) => ({ id: api.id, version: api.version, state: catalogStateOf(api) }));
    const observedPolicies = observe(read.policies);
    const observedCatalog = observe(read.catalog);

    const unknown = {
      policies: unknownSubjects({ desired: desiredPolicies, observed: observedPolicies }).length,
      catalog: unknownSubjects({ desired: desiredCatalog, observed: observedCatalog }).length,
    };
    this.metrics.setUnknownStates({ [TOPICS.policyState]: unknown.policies, [TOPICS.catalogState]: unknown.catalog });

    // Nothing is judged from a partition the read did not finish: its newest records may just not have been seen.
    const readFully = (topic: Topic) => (state: DesiredState) => !read.unread.has(`${topic}:${partitionOf(topic, state.id)}`);
    if (read.unread.size > 0) this.logger.warn(`reconciler left ${[...read.unread].join(', ')} for the next run: not read to the end`);
    const repairs: Repair[] = [];
    const policyDrifts = findDrifts({
      desired: desiredPolicies.filter(readFully(TOPICS.policyState)),
      observed: observedPolicies,
      inFlight: desired.inFlight.policies,
    });
    for (const drift of policyDrifts) {
      if (this.stopped) break;
      repairs.push(await this.repair('policy', drift));
    }
    const catalogDrifts = findDrifts({
      desired: desiredCatalog.filter(readFully(TOPICS.catalogState)),
      observed: observedCatalog,
      inFlight: desired.inFlight.catalog,
    });
    for (const drift of catalogDrifts) {
      if (this.stopped) break;
      repairs.push(await this.repair('catalog', drift));
    }
    return { result: 'ok', repairs, unknown, unread: [...read.unread] };
  }

  /**
   * Republishes one subject, unless it changed since the snapshot (its own new state is then on the
   * way, and the next run checks it). The repair is audited and counted.
   */
  private async repair(stateKind: StateKind, drift: Drift): Promise<Repair> {
    const publishedVersion = await this.dataSource.transaction(async (tx) => {
      const published = await this.republish(tx, { stateKind, drift });
      if (published === null) return null;
      await this.audit.record(tx, {
        actor: RECONCILER_ACTOR,
        action: `${stateKind}.republished`,
        targetType: stateKind === 'policy' ? 'principal' : 'api',
        targetId: drift.id,
        reason: `topic ${drift.kind}: held version ${drift.observedVersion ?? 'none'}, database version ${drift.desiredVersion}`,
        details: { kind: drift.kind, observedVersion: drift.observedVersion, desiredVersion: drift.desiredVersion, publishedVersion: published },
      });
      return published;
    });
    const repair: Repair = { ...drift, stateKind, publishedVersion };
    if (publishedVersion === null) return repair;
    this.metrics.countRepair(`${stateKind}-${drift.kind}` as RepairKind);
    this.logger.warn(
      `republished ${stateKind} of ${drift.id} as version ${publishedVersion}: topic ${drift.kind} (held ${drift.observedVersion ?? 'none'}, database ${drift.desiredVersion})`,
    );
    return repair;
  }

  /** The subject's state republished under a new version, or null when it changed since the snapshot. */
  private async republish(tx: EntityManager, input: { stateKind: StateKind; drift: Drift }): Promise<number | null> {
    const { drift } = input;
    if (input.stateKind === 'policy') {
      const principal = await this.principals.findLocked(tx, drift.id);
      if (!principal || principal.policyVersion !== drift.desiredVersion) return null;
      return (await this.policy.publish(tx, drift.id, { above: drift.above })).version;
    }
    const api = await this.apis.lockExisting(tx, drift.id);
    if (!api || api.version !== drift.desiredVersion) return null;
    return (await this.apis.publish(tx, drift.id, { above: drift.above })).version;
  }
}
