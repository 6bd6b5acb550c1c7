/** The calendar periods a quota counts over, in UTC. */
export type QuotaPeriod = 'day' | 'month';

export interface QuotaWindow {
  /** Names the window in shared counters, e.g. `d20300131` or `m203001`. */
  id: string;
  startMs: number;
  endMs: number;
}

/** The UTC day or month that `nowMs` falls in. */
export function quotaWindow(period: QuotaPeriod, nowMs: number): QuotaWindow {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'day') {
    const startMs = Date.UTC(year, month, now.getUTCDate());
    return { id: `d${year}${pad(month + 1)}${pad(now.getUTCDate())}`, startMs, endMs: startMs + 86_400_000 };
  }
  return { id: `m${year}${pad(month + 1)}`, startMs: Date.UTC(year, month, 1), endMs: Date.UTC(year, month + 1, 1) };
}

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
