import { PACKED_FIELDS, PackedValue, packEntry, unpackEntry } from './access-log-entry';
import { accessLogEntry as entry } from './access-log-entry.fixtures';

describe('access-log entries', () => {
  it('cross to the worker packed flat and come back unchanged, nulls included', () => {
    const batch: PackedValue[] = [];
    const first = entry();
    const second = entry({ requestId: 'req-2', status: 401, outcome: 'unauthenticated', apiId: null, route: null, keyId: null, principalId: null, grantId: null });
    packEntry(batch, first);
    packEntry(batch, second);
    expect(batch).toHaveLength(2 * PACKED_FIELDS);
    expect(unpackEntry(batch, 0)).toEqual(first);
    expect(unpackEntry(batch, PACKED_FIELDS)).toEqual(second);
  });
});
