import { hasApplied, isEnforced, replicaState } from './replica-state';

const record = { topic: 'policy.state.v1', partition: 1, offset: '41' };

describe('replicaState', () => {
  const now = new Date('2030-01-01T00:00:10.000Z');

  it('is live while the newest heartbeat is within the silence threshold, silent after it', () => {
    expect(replicaState({ lastSeenAt: new Date('2030-01-01T00:00:00.000Z'), now, silentAfterMs: 10_000 })).toBe('live');
    expect(replicaState({ lastSeenAt: new Date('2029-12-31T23:59:59.999Z'), now, silentAfterMs: 10_000 })).toBe('silent');
  });
});

describe('hasApplied', () => {
  it('needs a position past the offset on the same topic and partition', () => {
    expect(hasApplied([{ topic: 'policy.state.v1', partition: 1, offset: '42' }], record)).toBe(true);
    // The position is the next offset to read: equal means the record itself is not applied yet.
    expect(hasApplied([{ topic: 'policy.state.v1', partition: 1, offset: '41' }], record)).toBe(false);
    expect(hasApplied([{ topic: 'policy.state.v1', partition: 0, offset: '900' }], record)).toBe(false);
    expect(hasApplied([{ topic: 'catalog.state.v1', partition: 1, offset: '900' }], record)).toBe(false);
    expect(hasApplied([], record)).toBe(false);
  });

  it('compares offsets as integers, not strings', () => {
    expect(hasApplied([{ topic: 'policy.state.v1', partition: 1, offset: '100' }], { ...record, offset: '99' })).toBe(true);
    expect(hasApplied([{ topic: 'policy.state.v1', partition: 1, offset: '9' }], { ...record, offset: '10' })).toBe(false);
  });
});

describe('isEnforced', () => {
  const ahead = { positions: [{ topic: 'policy.state.v1', partition: 1, offset: '50' }] };
  const behind = { positions: [{ topic: 'policy.state.v1', partition: 1, offset: '40' }] };

  it('needs every live replica to have applied the record', () => {
    expect(isEnforced({ liveReplicas: [ahead, ahead], record })).toBe(true);
    expect(isEnforced({ liveReplicas: [ahead, behind], record })).toBe(false);
  });

  it('confirms nothing while no replica is live', () => {
    expect(isEnforced({ liveReplicas: [], record })).toBe(false);
  });
});
