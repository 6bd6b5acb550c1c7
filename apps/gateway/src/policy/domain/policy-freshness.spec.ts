import { judgeFreshness } from './policy-freshness';

describe('judgeFreshness', () => {
  const base = { caughtUp: true, stalenessMs: 0, budgetMs: 30_000, mode: 'deny' as const };

  it('neither serves nor is ready until the view has caught up', () => {
    expect(judgeFreshness({ ...base, caughtUp: false })).toEqual({ state: 'loading', serving: false, ready: false });
    expect(judgeFreshness({ ...base, caughtUp: false, mode: 'serve' })).toMatchObject({ serving: false, ready: false });
  });

  it('serves while the broker answered within the budget, the budget itself included', () => {
    expect(judgeFreshness({ ...base, stalenessMs: 30_000 })).toEqual({ state: 'fresh', serving: true, ready: true });
  });

  it('stops serving and fails readiness past the budget', () => {
    expect(judgeFreshness({ ...base, stalenessMs: 30_001 })).toEqual({ state: 'stale', serving: false, ready: false });
    expect(judgeFreshness({ ...base, stalenessMs: Number.POSITIVE_INFINITY })).toMatchObject({ serving: false });
  });

  it('keeps enforcing the last view past the budget when told to serve', () => {
    expect(judgeFreshness({ ...base, stalenessMs: 60_000, mode: 'serve' })).toEqual({ state: 'stale', serving: true, ready: true });
  });
});
