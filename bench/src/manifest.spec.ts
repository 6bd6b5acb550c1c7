import { manifestNodeOptions } from './manifest';

describe('manifestNodeOptions', () => {
  it('reads the runtime tuning the deploy manifests give the services', () => {
    expect(manifestNodeOptions('gateway')).toBe('--max-semi-space-size=32');
    expect(manifestNodeOptions('usage-ingest')).toBe('--max-semi-space-size=64');
    expect(manifestNodeOptions('enforcement')).toBeNull();
  });
});
