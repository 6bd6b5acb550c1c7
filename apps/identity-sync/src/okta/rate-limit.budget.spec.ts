import { RateLimitBudget } from './rate-limit.budget';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('RateLimitBudget', () => {
  let now: number;
  let budget: RateLimitBudget;

  beforeEach(() => {
    now = Date.parse('2025-01-01T00:00:10.000Z');
    budget = new RateLimitBudget(() => now);
  });

  it('lets requests through while the window has more than the reserve left', () => {
    budget.observe(headers({ 'x-rate-limit-remaining': '6', 'x-rate-limit-reset': String(now / 1000 + 30), date: new Date(now).toUTCString() }));
    expect(budget.delayMs(5)).toBe(0);
  });

  it('holds a request back until the window resets once only the reserve is left', () => {
    budget.observe(headers({ 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': String(now / 1000 + 30), date: new Date(now).toUTCString() }));
    expect(budget.delayMs(5)).toBe(30_100);
    expect(budget.delayMs(0)).toBe(0);
  });

  it('reads the reset in the server clock, corrected by its Date header', () => {
    const serverNow = now - 5000;
    budget.observe(headers({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(serverNow / 1000 + 10), date: new Date(serverNow).toUTCString() }));
    expect(budget.delayMs(0)).toBe(10_100);
  });

  it('takes a Date within the same second as our clock, since the header only has whole seconds', () => {
    const serverNow = now - 800;
    budget.observe(headers({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(now / 1000 + 2), date: new Date(serverNow).toUTCString() }));
    expect(budget.delayMs(0)).toBe(2_100);
  });

  it('holds back at most a tenth of a small window', () => {
    budget.observe(headers({ 'x-rate-limit-limit': '20', 'x-rate-limit-remaining': '3', 'x-rate-limit-reset': String(now / 1000 + 1), date: new Date(now).toUTCString() }));
    expect(budget.delayMs(5)).toBe(0);
    budget.observe(headers({ 'x-rate-limit-limit': '20', 'x-rate-limit-remaining': '2', 'x-rate-limit-reset': String(now / 1000 + 1), date: new Date(now).toUTCString() }));
    expect(budget.delayMs(5)).toBe(1_100);
  });

  it('forgets a spent budget once its window has passed', () => {
    budget.observe(headers({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(now / 1000 + 1), date: new Date(now).toUTCString() }));
    now += 1500;
    expect(budget.delayMs(0)).toBe(0);
    expect(budget.delayMs(1000)).toBe(0);
  });

  it('ignores responses without rate-limit headers', () => {
    budget.observe(headers({}));
    expect(budget.delayMs(100)).toBe(0);
  });

  it('counts waits, and a released waiter goes at once', async () => {
    budget.observe(headers({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(now / 1000 + 3600), date: new Date(now).toUTCString() }));
    const admitted = budget.admit(0);
    budget.releaseWaiters();
    await admitted;
    budget.recordBackoff(1200);
    expect(budget.counters).toEqual({ pauses: 1, waits429: 1, waitedMs: 3_600_100 + 1200 });
  });
});
