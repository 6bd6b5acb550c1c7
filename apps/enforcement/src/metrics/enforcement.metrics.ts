import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { ServiceMetrics } from '@attest/platform';

/** What a reconciler repair fixed: which topic, and how the topic differed from the database. */
export type RepairKind = `${'policy' | 'catalog'}-${'missing' | 'older' | 'different' | 'ahead'}`;
export type ReconcileResult = 'ok' | 'failed' | 'skipped';

/** Something measured when Prometheus scrapes (a database count), rather than counted as it happens. */
export type ScrapeObserver = () => Promise<Array<{ labels?: Record<string, string>; value: number }>>;

/** Enforcement's own Prometheus metrics, in the service's registry (rendered at `/metrics` with the process's and messaging's). */
@Injectable()
export class EnforcementMetrics {
  private readonly registry: Registry;
  private readonly repairs: Counter<'kind'>;
  private readonly runs: Counter<'result'>;
  private readonly lastRun: Gauge;
  private readonly lastRunDuration: Gauge;
  private readonly unknownStates: Gauge<'topic'>;

  constructor(service: ServiceMetrics) {
    this.registry = service.registry;
    this.repairs = new Counter({
      name: 'attest_reconciler_repairs_total',
      help: 'States the reconciler republished because the compacted topic differed from the database, by kind',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.runs = new Counter({
      name: 'attest_reconciler_runs_total',
      help: 'Reconciler runs, by result (skipped: another replica held the reconciler lock)',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.lastRun = new Gauge({
      name: 'attest_reconciler_last_run_timestamp_seconds',
      help: 'When the last reconciler run that compared anything finished (Unix seconds)',
      registers: [this.registry],
    });
    this.lastRunDuration = new Gauge({
      name: 'attest_reconciler_last_run_duration_seconds',
      help: 'How long the last completed reconciler run took',
      registers: [this.registry],
    });
    this.unknownStates = new Gauge({
      name: 'attest_reconciler_unknown_states',
      help: 'Keys on a compacted topic that the database does not know (left in place, reported for an operator)',
      labelNames: ['topic'],
      registers: [this.registry],
    });
  }

  countRepair(kind: RepairKind): void {
    this.repairs.inc({ kind });
  }

  countRun(run: { result: ReconcileResult; durationMs?: number }): void {
    this.runs.inc({ result: run.result });
    if (run.result === 'skipped') return;
    this.lastRun.set(Date.now() / 1000);
    if (run.durationMs !== undefined) this.lastRunDuration.set(run.durationMs / 1000);
  }

  setUnknownStates(counts: Record<string, number>): void {
    for (const [topic, count] of Object.entries(counts)) this.unknownStates.set({ topic }, count);
  }

  /** A gauge computed on each scrape; a failing observer leaves the gauge out of that scrape. */
  observeOnScrape(gauge: { name: string; help: string; labelNames?: string[]; observe: ScrapeObserver }): void {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      labelNames: gauge.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        this.reset();
        // A database hiccup must not fail the whole scrape: the gauge is just absent from this one.
        const samples = await gauge.observe().catch(() => []);
        for (const sample of samples) {
          if (sample.labels) this.set(sample.labels, sample.value);
          else this.set(sample.value);
        }
      },
    });
  }
}
