import { median, pairedRounds, percentile } from './stats';

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

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('pairedRounds', () => {
  it('compares each round of the target with the same round of the reference', () => {
    const paired = pairedRounds(
      [
        { rps: 900, p99Ms: 5 },
        { rps: 450, p99Ms: 9 },
      ],
      [
        { rps: 1000, p99Ms: 4 },
        { rps: 500, p99Ms: 9.5 },
      ],
    );
    expect(paired.ratios).toEqual([0.9, 0.9]);
    expect(paired.p99DeltasMs).toEqual([1, -0.5]);
  });

  it('refuses rounds that do not pair up', () => {
    expect(() => pairedRounds([{ rps: 1, p99Ms: 1 }], [])).toThrow(/differ in number/);
  });
});
