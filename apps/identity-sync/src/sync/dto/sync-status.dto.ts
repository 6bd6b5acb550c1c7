import type { SyncStage } from '../domain/sync-stage';
import type { SyncRunError, SyncRunStatus } from '../sync-run.entity';

export interface SyncRunView {
  id: string;
  status: SyncRunStatus;
  trigger: string;
  stage: SyncStage;
  /** 1, plus one per resume after an interruption or failure. */
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  /** Wall-clock time from start to finish (or until now while it runs). */
  durationMs: number;
  counts: { users: number; groups: number; memberships: number; deleted: number; eventsPublished: number };
  pages: number;
  rateLimit: {
    /** 429 answers waited out before retrying. */
    waited429: number;
    /** Requests held back because `X-Rate-Limit-Remaining` reached the reserve. */
    pauses: number;
    waitedMs: number;
  };
  errors: SyncRunError[];
}

export interface SystemLogStatus {
  enabled: boolean;
  intervalMs: number;
  since: string | null;
  lastPolledAt: string | null;
  eventsApplied: number;
  lastError: string | null;
}

export interface EventHookStatus {
  enabled: boolean;
  pending: number;
  processed: number;
  failing: number;
}

export interface SyncStatusResponse {
  /** `disabled` without Okta configured; `running` while a full sync runs in this service. */
  status: 'disabled' | 'idle' | 'running';
  okta: { configured: boolean; orgUrl: string | null };
  lastRun: SyncRunView | null;
  systemLog: SystemLogStatus;
  eventHooks: EventHookStatus;
}

export interface StartSyncResponse {
  runId: string;
  /** True when an interrupted or failed run continues from its cursor. */
  resumed: boolean;
  statusUrl: string;
}
