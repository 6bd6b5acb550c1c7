import { LatencyQuantiles, median, mixQuantiles, pairedRounds, percentile, quantileAt } from './stats';

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

describe('pooled latency distributions', () => {
  // Requests spread evenly over 0-10 ms, and over 10-20 ms.
  const fast: LatencyQuantiles = [
    [0, 0],
    [50, 5],
    [100, 10],
  ];
  const slow: LatencyQuantiles = [
    [0, 10],
    [50, 15],
    [100, 20],
  ];

  it('reads a distribution between its points', () => {
    expect(quantileAt(fast, 50)).toBe(5);
    expect(quantileAt(fast, 99)).toBeCloseTo(9.9, 9);
    expect(quantileAt(slow, 0)).toBe(10);
    expect(quantileAt(slow, 100)).toBe(20);
  });

  it('pools runs by the requests each served', () => {
    const even = mixQuantiles(
      [
        { requests: 1000, quantiles: fast },
        { requests: 1000, quantiles: slow },
      ],
      [50, 99],
    );
    expect(quantileAt(even, 50)).toBeCloseTo(10, 6);
    expect(quantileAt(even, 99)).toBeCloseTo(19.8, 6);
    const mostlyFast = mixQuantiles(
      [
        { requests: 3000, quantiles: fast },
        { requests: 1000, quantiles: slow },
      ],
      [99],
    );
    // 75% of the requests are at most 10 ms; the 99th percentile is the slow run's 96th.
    expect(quantileAt(mostlyFast, 99)).toBeCloseTo(19.6, 6);
    expect(mostlyFast[0]).toEqual([0, 0]);
    expect(mostlyFast[mostlyFast.length - 1]).toEqual([100, 20]);
  });

  it('gives one run its own distribution back', () => {
    const alone = mixQuantiles([{ requests: 500, quantiles: fast }], [25, 50, 99]);
    expect(alone.map(([percent, ms]) => [percent, Number(ms.toFixed(6))])).toEqual([
      [0, 0],
      [25, 2.5],
      [50, 5],
      [99, 9.9],
      [100, 10],
    ]);
  });

  it('lets a stall in one small run weigh by the requests it held, unlike a mean of 99th percentiles', () => {
    const stalled: LatencyQuantiles = [
      [0, 100],
      [99, 199],
      [100, 200],
    ];
    const pooled = mixQuantiles(
      [
        { requests: 9900, quantiles: fast },
        { requests: 100, quantiles: stalled },
      ],
      [99, 99.5],
    );
    // 99% of all requests took at most 10 ms; the mean of the two runs' 99th percentiles would say 11.79.
    expect(quantileAt(pooled, 99)).toBeCloseTo(10, 6);
    // Past 99%, the stalled run’s requests: half of them took at most 150 ms.
    expect(quantileAt(pooled, 99.5)).toBeCloseTo(150, 6);
  });
});
