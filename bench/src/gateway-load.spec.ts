import { variantSettings } from './gateway-load';

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
