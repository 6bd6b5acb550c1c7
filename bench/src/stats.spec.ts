import { percentile } from './stats';

describe('percentile', () => {
  it('takes the nearest rank of the sorted sample', () => {
    const sample = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(sample, 50)).toBe(50);
    expect(percentile(sample, 99)).toBe(99);
    expect(percentile(sample, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN for an empty sample rather than a made-up number', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
