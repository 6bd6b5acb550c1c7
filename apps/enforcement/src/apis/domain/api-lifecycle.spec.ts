import { consumerWindowStart, lifecycleRefusal, unusedSince } from './api-lifecycle';

const now = new Date('2030-06-30T00:00:00.000Z');

describe('consumerWindowStart', () => {
  it('is the last N days for an API that is not deprecated', () => {
    expect(consumerWindowStart({ now, days: 30, deprecatedAt: null })).toEqual(new Date('2030-05-31T00:00:00.000Z'));
  });

  it('reaches back to the deprecation when that is longer ago', () => {
    const deprecatedAt = new Date('2030-01-01T00:00:00.000Z');
    expect(consumerWindowStart({ now, days: 30, deprecatedAt })).toEqual(deprecatedAt);
  });

  it('keeps the last N days when the deprecation is recent', () => {
    expect(consumerWindowStart({ now, days: 30, deprecatedAt: new Date('2030-06-29T00:00:00.000Z') })).toEqual(
      new Date('2030-05-31T00:00:00.000Z'),
    );
  });
});

describe('unusedSince', () => {
  it('is N days before now', () => {
    expect(unusedSince({ now, days: 90 })).toEqual(new Date('2030-04-01T00:00:00.000Z'));
  });
});

describe('lifecycleRefusal', () => {
  it('lets everything happen to an active or deprecated API', () => {
    for (const status of ['active', 'deprecated'] as const) {
      for (const action of ['update', 'deprecate', 'retire', 'grant', 'narrow'] as const) {
        expect(lifecycleRefusal({ status, action })).toBeNull();
      }
    }
  });

  it('refuses every change to a retired API, saying why', () => {
    expect(lifecycleRefusal({ status: 'retired', action: 'retire' })).toBe('is already retired');
    expect(lifecycleRefusal({ status: 'retired', action: 'update' })).toMatch(/changed/);
    expect(lifecycleRefusal({ status: 'retired', action: 'deprecate' })).toMatch(/deprecated/);
    expect(lifecycleRefusal({ status: 'retired', action: 'grant' })).toMatch(/granted/);
    expect(lifecycleRefusal({ status: 'retired', action: 'narrow' })).toMatch(/narrowed/);
  });
});
