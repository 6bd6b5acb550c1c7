/** Formats times as ISO 8601; many arrive within the same millisecond, so the last one is reused. */
export class IsoClock {
  private lastMs = Number.NaN;
  private lastIso = '';

  format(ms: number): string {
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }
}
