import { QuotaPeriod, quotaWindow, QuotaWindow } from './quota-window';

/**
 * Requests counted against a cap per UTC day or month. In cluster mode `synced` is the cluster's
 * total as Redis last reported it (this replica's pushed share included), and the rest is what this
 * replica counted since.
 */
export class QuotaCounter {
  private window: QuotaWindow;
  private synced = 0;
  private inFlight = 0;
  private unsynced = 0;

  constructor(
    readonly period: QuotaPeriod,
    private cap: number,
    nowMs: number,
  ) {
    this.window = quotaWindow(period, nowMs);
  }

  get limit(): number {
    return this.cap;
  }

  get windowId(): string {
    return this.window.id;
  }

  get windowEndMs(): number {
    return this.window.endMs;
  }

  /** Length of the current window in whole seconds (a month's varies). */
  get windowSeconds(): number {
    return Math.round((this.window.endMs - this.window.startMs) / 1000);
  }

  get used(): number {
    return this.synced + this.inFlight + this.unsynced;
  }

  get remaining(): number {
    const left = this.cap - this.used;
    return left > 0 ? left : 0;
  }

  /** Whether some of its count has not reached the shared counter yet. */
  get hasUnsynced(): boolean {
    return this.unsynced + this.inFlight > 0;
  }

  /** Moves to the current window when the last one ended; returns true when it did. */
  roll(nowMs: number): boolean {
    if (nowMs < this.window.endMs) return false;
    this.window = quotaWindow(this.period, nowMs);
    this.synced = 0;
    this.inFlight = 0;
    this.unsynced = 0;
    return true;
  }

  /** Call after `roll`. */
  canTake(): boolean {
    return this.used < this.cap;
  }

  take(): void {
    this.unsynced += 1;
  }

  msUntilReset(nowMs: number): number {
    return this.window.endMs > nowMs ? this.window.endMs - nowMs : 0;
  }

  /** Whether forgetting this counter loses nothing: its window is over, or it never counted anything. */
  isSpent(nowMs: number): boolean {
    return nowMs >= this.window.endMs || this.used === 0;
  }

  reconfigure(cap: number): void {
    this.cap = cap;
  }

  /** Starts a sync: what to add to the shared counter of `windowId`. One sync at a time. */
  beginSync(): { windowId: string; windowEndMs: number; count: number } {
    this.inFlight += this.unsynced;
    this.unsynced = 0;
    return { windowId: this.window.id, windowEndMs: this.window.endMs, count: this.inFlight };
  }

  /** The shared total after the push (it includes what was pushed). */
  completeSync(windowId: string, total: number): void {
    if (windowId !== this.window.id) return;
    this.synced = total;
    this.inFlight = 0;
  }

  /** Counts are real requests: what could not be pushed is pushed with the next sync. */
  failSync(windowId: string): void {
    if (windowId !== this.window.id) return;
    this.unsynced += this.inFlight;
    this.inFlight = 0;
  }
}
