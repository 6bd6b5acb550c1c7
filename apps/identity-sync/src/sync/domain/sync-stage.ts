/**
 * A full sync walks these stages in order; each commits page by page with its cursor, so a sync stopped
 * anywhere continues from the last committed page.
 */
export const SYNC_STAGES = ['users', 'deprovisioned', 'groups', 'memberships', 'sweep', 'done'] as const;

export type SyncStage = (typeof SYNC_STAGES)[number];

export interface SyncCursor {
  /** Okta's `after` for the next page of the current stage; null at the start of a stage. */
  after: string | null;
  /** Memberships: the Okta id of the last group whose members are all mirrored. */
  groupAfter?: string | null;
  /** Memberships: the group being read, and when its first member page committed (database time). */
  group?: { oktaId: string; id: string; startedAt: string } | null;
}

export const START_CURSOR: SyncCursor = Object.freeze({ after: null });

export function nextStage(stage: SyncStage): SyncStage {
  const index = SYNC_STAGES.indexOf(stage);
  return SYNC_STAGES[Math.min(index + 1, SYNC_STAGES.length - 1)];
}
