import { DesiredState, findDrifts, observe, TopicRecord, unknownSubjects } from './drift';

const P = 'principal-p';
const Q = 'principal-q';

function record(overrides: Partial<TopicRecord> & { version: number | null }): TopicRecord {
  return { key: P, id: P, state: { id: P, version: overrides.version, grants: [] }, ...overrides };
}

function desired(version: number, grants: string[] = []): DesiredState {
  return { id: P, version, state: { id: P, version, grants } };
}

describe('observe', () => {
  it('keeps the last record of each key, as compaction does', () => {
    const observed = observe([record({ version: 5 }), record({ version: 3, state: { old: true } })]);
    expect(observed.get(P)).toEqual({ effective: { version: 3, state: { old: true } }, maxVersion: 5 });
  });

  it('takes a tombstone as the end of the key', () => {
    const observed = observe([record({ version: 5 }), { key: P, id: null, version: null, state: null }]);
    expect(observed.get(P)).toEqual({ effective: null, maxVersion: 5 });
  });

  it('keeps the highest version when two keys name the same subject, as the gateway does', () => {
    const observed = observe([record({ version: 7 }), record({ key: 'forged-key', version: 4 })]);
    expect(observed.get(P)!.effective!.version).toBe(7);
  });
});

describe('findDrifts', () => {
  const inFlight = new Set<string>();

  it('finds nothing when the topic holds the desired state, whatever its key order', () => {
    const observed = observe([record({ version: 4, state: { grants: [], version: 4, id: P } })]);
    expect(findDrifts({ desired: [desired(4)], observed, inFlight })).toEqual([]);
  });

  it('repairs a subject missing from the topic, or deleted by a tombstone', () => {
    expect(findDrifts({ desired: [desired(4)], observed: new Map(), inFlight })).toEqual([
      { id: P, kind: 'missing', desiredVersion: 4, observedVersion: null, above: 4 },
    ]);
    const tombstoned = observe([record({ version: 4 }), { key: P, id: null, version: null, state: null }]);
    expect(findDrifts({ desired: [desired(4)], observed: tombstoned, inFlight })).toEqual([
      { id: P, kind: 'missing', desiredVersion: 4, observedVersion: null, above: 4 },
    ]);
  });

  it('repairs an older state published after the newer one, past every version seen', () => {
    const observed = observe([record({ version: 4 }), record({ version: 2, state: { id: P, version: 2, grants: ['revoked-grant'] } })]);
    expect(findDrifts({ desired: [desired(4)], observed, inFlight })).toEqual([
      { id: P, kind: 'older', desiredVersion: 4, observedVersion: 2, above: 4 },
    ]);
  });

  it('repairs a state of the same version with other content', () => {
    const observed = observe([record({ version: 4, state: { id: P, version: 4, grants: ['g'] } })]);
    expect(findDrifts({ desired: [desired(4)], observed, inFlight })[0]).toMatchObject({ kind: 'different', above: 4 });
  });

  it('repairs a version the database never issued, going past it', () => {
    const observed = observe([record({ version: 40 })]);
    expect(findDrifts({ desired: [desired(4)], observed, inFlight })[0]).toMatchObject({ kind: 'ahead', observedVersion: 40, above: 40 });
  });

  it('leaves a subject alone while its change waits in the outbox', () => {
    expect(findDrifts({ desired: [desired(4)], observed: new Map(), inFlight: new Set([P]) })).toEqual([]);
  });
});

describe('unknownSubjects', () => {
  it('lists subjects held on the topic that the database does not know', () => {
    const observed = observe([record({ version: 1 }), record({ key: Q, id: Q, version: 1 })]);
    expect(unknownSubjects({ desired: [desired(1)], observed })).toEqual([Q]);
  });
});
