import { policyLag } from './policy-lag';

describe('policyLag', () => {
  it('sums what each partition holds beyond what the view applied, from its start where it read nothing', () => {
    const ends = [
      { topic: 'policy', partitions: [{ partition: 0, high: '10', low: '0' }, { partition: 1, high: '7', low: '5' }, { partition: 2, high: '3', low: '3' }] },
      { topic: 'catalog', partitions: [{ partition: 0, high: '4', low: '0' }] },
    ];
    const positions = [
      { topic: 'policy', partition: 0, offset: '8' },
      { topic: 'catalog', partition: 0, offset: '4' },
    ];
    expect(policyLag({ ends, positions })).toBe(2 + 2 + 0 + 0);
  });

  it('never counts a position past the end it last saw as negative lag', () => {
    expect(policyLag({ ends: [{ topic: 't', partitions: [{ partition: 0, high: '5', low: '0' }] }], positions: [{ topic: 't', partition: 0, offset: '9' }] })).toBe(0);
  });
});
