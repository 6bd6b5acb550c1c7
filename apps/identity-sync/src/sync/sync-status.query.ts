import { Injectable } from '@nestjs/common';
import { EventHooksService } from '../event-hooks/event-hooks.service';
import { EventHooksWorker } from '../event-hooks/event-hooks.worker';
import { OktaClient } from '../okta/okta.client';
import { SystemLogPoller } from '../system-log/system-log.poller';
import { SystemLogRepository } from '../system-log/system-log.repository';
import { SyncStatusResponse } from './dto/sync-status.dto';
import { SyncService } from './sync.service';

/** `GET /v1/sync/status`: the last full sync, and how the incremental paths (System Log, Event Hooks) keep up. */
@Injectable()
export class SyncStatusQuery {
  constructor(
    private readonly okta: OktaClient,
    private readonly sync: SyncService,
    private readonly poller: SystemLogPoller,
    private readonly logCursor: SystemLogRepository,
    private readonly hooks: EventHooksService,
    private readonly hookWorker: EventHooksWorker,
  ) {}

  async status(): Promise<SyncStatusResponse> {
    const [lastRun, cursor, hooks] = await Promise.all([this.sync.lastRun(), this.logCursor.cursor(), this.hooks.status()]);
    return {
      status: !this.okta.enabled ? 'disabled' : this.sync.runningRunId ? 'running' : 'idle',
      okta: { configured: this.okta.enabled, orgUrl: this.okta.orgUrl },
      lastRun,
      systemLog: {
        enabled: this.poller.enabled,
        intervalMs: this.poller.intervalMs,
        since: cursor?.since.toISOString() ?? null,
        lastPolledAt: cursor?.polledAt?.toISOString() ?? null,
        eventsApplied: Number(cursor?.eventsApplied ?? 0),
        lastError: cursor?.lastError ?? null,
      },
      eventHooks: { enabled: this.hookWorker.enabled, ...hooks },
    };
  }
}
