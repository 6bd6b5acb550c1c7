import { liveRateFromGatewayPeak, TargetLoad, thereAndBack, variantSettings } from './gateway-load';

describe('variantSettings (BENCH_GATEWAY_VARIANT_ENV)', () => {
  it('reads NAME=value pairs, a value running to the next pair so NODE_OPTIONS may hold several flags', () => {
    expect(variantSettings('ACCESS_LOG_WORKER_NICE=0')).toEqual({ ACCESS_LOG_WORKER_NICE: '0' });
    expect(variantSettings(' NODE_OPTIONS=--max-old-space-size=256 --max-semi-space-size=32 ACCESS_LOG_MODE=inline ')).toEqual({
      NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=32',
      ACCESS_LOG_MODE: 'inline',
    });
  });

  it('refuses text without a pair', () => {
    expect(() => variantSettings('--max-old-space-size=256')).toThrow(/NAME=value/);
  });
});

describe('thereAndBack (the order of measurements within a round)', () => {
  it('measures every target twice, in order and then in reverse, so neighbours are measured side by side both ways', () => {
    expect(thereAndBack(5)).toEqual([0, 1, 2, 3, 4, 4, 3, 2, 1, 0]);
    // Every target's two measurements sit symmetrically about the round's middle: a steady drift weighs on all alike.
    const order = thereAndBack(5);
    for (let target = 0; target < 5; target++) {
      const [first, second] = [order.indexOf(target), order.lastIndexOf(target)];
      expect((first + second) / 2).toBe((order.length - 1) / 2);
    }
  });

  it('moves the first target of the round on each round, so over as many rounds as targets each is once in the middle, measured twice in a row', () => {
    expect(thereAndBack(3, 1)).toEqual([1, 2, 0, 0, 2, 1]);
    expect(thereAndBack(3, 5)).toEqual(thereAndBack(3, 2));
    const middles = [0, 1, 2, 3, 4].map((round) => {
      const order = thereAndBack(5, round);
      for (let target = 0; target < 5; target++) expect((order.indexOf(target) + order.lastIndexOf(target)) / 2).toBe((order.length - 1) / 2);
      return order[order.length / 2];
    });
    expect([...middles].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('is empty for no targets', () => {
    expect(thereAndBack(0)).toEqual([]);
  });
});

describe('liveRateFromGatewayPeak (the rate usage-ingest must absorb live)', () => {
  const load = (gateway: boolean, roundRps: number[]): TargetLoad => ({ gateway, roundRps });

  it("takes the fastest round of any gateway, rounded up to a thousand, and ignores the other targets' rates", () => {
    const loads = [
      load(false, [70_000, 71_000]), // nginx proxy_pass
      load(false, [32_900, 33_400]), // the bare Node proxy
      load(true, [30_100, 31_250, 29_800]),
      load(true, [30_900, 28_000]),
    ];
    expect(liveRateFromGatewayPeak(loads, 30_000)).toBe(32_000);
  });

  it('keeps the floor when the gateways were slower, or when none ran', () => {
    expect(liveRateFromGatewayPeak([load(true, [6_100, 5_900])], 30_000)).toBe(30_000);
    expect(liveRateFromGatewayPeak([load(false, [45_000])], 30_000)).toBe(30_000);
  });
});
