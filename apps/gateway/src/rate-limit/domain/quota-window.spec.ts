import { quotaWindow } from './quota-window';
import { QuotaCounter } from './quota-counter';

describe('quotaWindow', () => {
  it('names UTC days and months, whatever the local time zone', () => {
    const at = Date.parse('2030-01-31T23:59:59.999Z');
    expect(quotaWindow('day', at)).toEqual({ id: 'd20300131', startMs: Date.parse('2030-01-31T00:00:00Z'), endMs: Date.parse('2030-02-01T00:00:00Z') });
    expect(quotaWindow('month', at)).toEqual({ id: 'm203001', startMs: Date.parse('2030-01-01T00:00:00Z'), endMs: Date.parse('2030-02-01T00:00:00Z') });
    expect(quotaWindow('month', Date.parse('2030-12-15T00:00:00Z')).endMs).toBe(Date.parse('2031-01-01T00:00:00Z'));
  });
});

describe('QuotaCounter', () => {
  const day = Date.parse('2030-03-10T12:00:00Z');

  it('refuses past its cap until the next UTC day begins', () => {
    const counter = new QuotaCounter('day', 2, day);
    counter.take();
    counter.take();
    expect(counter.canTake()).toBe(false);
    expect(counter.msUntilReset(day)).toBe(12 * 3_600_000);
    expect(counter.roll(Date.parse('2030-03-10T23:59:59Z'))).toBe(false);
    expect(counter.roll(Date.parse('2030-03-11T00:00:00Z'))).toBe(true);
    expect(counter.canTake()).toBe(true);
    expect(counter.windowId).toBe('d20300311');
  });

  it('counts the cluster total once synced, and keeps what it could not push', () => {
    const counter = new QuotaCounter('month', 10, day);
    counter.take();
    counter.take();
    const push = counter.beginSync();
    expect(push).toEqual({ windowId: 'm203003', windowEndMs: Date.parse('2030-04-01T00:00:00Z'), count: 2 });
    counter.take();
    counter.completeSync(push.windowId, 7);
    expect(counter.used).toBe(8);

    const failed = counter.beginSync();
    expect(failed.count).toBe(1);
    counter.failSync(failed.windowId);
    expect(counter.used).toBe(8);
    expect(counter.beginSync().count).toBe(1);
  });

  it('ignores a sync answer for a window that has ended', () => {
    const counter = new QuotaCounter('day', 10, day);
    counter.take();
    const push = counter.beginSync();
    counter.roll(Date.parse('2030-03-11T00:00:01Z'));
    counter.completeSync(push.windowId, 9);
    expect(counter.used).toBe(0);
  });
});
