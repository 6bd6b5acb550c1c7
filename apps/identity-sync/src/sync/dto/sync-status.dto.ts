export type SyncState = 'idle' | 'running' | 'failed';

export interface SyncStatusResponse {
  status: SyncState;
  /** When the last sync with the identity provider finished (ISO 8601), or null before the first one. */
  lastRun: string | null;
}
