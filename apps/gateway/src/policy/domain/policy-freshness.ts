/** What the gateway does once its policy view is older than the budget. */
export type StalePolicyMode = 'deny' | 'serve';

export interface FreshnessInput {
  /** Whether the view has caught up with the topics at least once. */
  caughtUp: boolean;
  /** Milliseconds since the broker last answered the view's reader (infinite before the first answer). */
  stalenessMs: number;
  budgetMs: number;
  mode: StalePolicyMode;
}

export interface Freshness {
  /** `loading`: not caught up yet; `fresh`: within budget; `stale`: past it. */
  state: 'loading' | 'fresh' | 'stale';
  /** Whether requests are decided (otherwise answered 503). */
  serving: boolean;
  /** What readiness answers. */
  ready: boolean;
}

const LOADING: Freshness = { state: 'loading', serving: false, ready: false };
const FRESH: Freshness = { state: 'fresh', serving: true, ready: true };
const STALE_DENIED: Freshness = { state: 'stale', serving: false, ready: false };
const STALE_SERVED: Freshness = { state: 'stale', serving: true, ready: true };

/**
 * Whether the policy view may still be trusted. A view that lost the broker keeps everything it
 * applied (a revocation stays applied), but past the budget it may be missing newer revocations, so
 * by default the gateway stops deciding and readiness fails, taking the replica out of rotation;
 * `serve` trades that for availability.
 */
export function judgeFreshness(input: FreshnessInput): Freshness {
  if (!input.caughtUp) return LOADING;
  if (input.stalenessMs <= input.budgetMs) return FRESH;
  return input.mode === 'serve' ? STALE_SERVED : STALE_DENIED;
}
