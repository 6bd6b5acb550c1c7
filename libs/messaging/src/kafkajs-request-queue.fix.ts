/**
 * kafkajs 2.2.4's idle-connection timer loop, fixed in place (tulios/kafkajs#1556, #1604, #1704;
 * the fix proposed in #1667 was never released, and kafkajs has had no release since 2023).
 *
 * Every connection's request queue re-arms a `setTimeout` each time it checks for pending requests,
 * even when none are pending, with a negative delay (Node makes it 1 ms). So every open connection
 * runs a 1 ms timer for as long as it lives: an idle gateway spent 2.6% of a core on it, and under
 * load the timers fire between requests on the thread that answers them.
 *
 * The fix arms the timer only while requests wait, which is the only case it exists for (throttling
 * by the broker, or too many requests in flight). Freed capacity is picked up as before: a response
 * or a timed-out request checks the queue itself.
 */
const FIXED_VERSION = '2.2.4';
/** kafkajs's own interval for re-checking a queue that waits for in-flight capacity. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The part of kafkajs's internal `RequestQueue` the fix relies on. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

export type KafkajsFixResult = 'applied' | 'already-applied' | 'other-version';

let applied = false;

/**
 * Replaces the request queue's scheduling. Idempotent; does nothing on any kafkajs other than the
 * version it was written against, so an upgrade cannot silently keep a patch meant for other code.
 */
export function fixKafkajsRequestQueue(): KafkajsFixResult {
  if (applied) return 'already-applied';
  // Deep paths: the queue is internal to kafkajs, which has no `exports` map to forbid them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== FIXED_VERSION) return 'other-version';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL,
    );
  };
  applied = true;
  return 'applied';
}
