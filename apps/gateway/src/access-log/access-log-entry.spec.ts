import { MAX_TABLE_STRINGS, PACKED_FIELDS, PackedValue, packEntry, StringTable, unpackEntry } from './access-log-entry';
import { accessLogEntry as entry } from './access-log-entry.fixtures';

describe('access-log entries', () => {
  it('cross to the worker packed flat and come back unchanged, nulls included', () => {
    const table = new StringTable();
    const batch: PackedValue[] = [];
    const first = entry();
    const second = entry({ requestId: 'req-2', status: 401, outcome: 'unauthenticated', apiId: null, route: null, keyId: null, principalId: null, grantId: null });
    packEntry(batch, first, table);
    packEntry(batch, second, table);
    expect(batch).toHaveLength(2 * PACKED_FIELDS);
    // The worker's copy of the table is made only of what the hand-overs carried.
    const workerStrings = [...table.takeNew()];
    expect(unpackEntry(batch, 0, workerStrings)).toEqual(first);
    expect(unpackEntry(batch, PACKED_FIELDS, workerStrings)).toEqual(second);
  });

  it('carry each repeated string once: a later hand-over brings only the strings first named since the last one', () => {
    const table = new StringTable();
    const first = entry();
    const again = { ...first, requestId: 'req-2', path: '/orders/2', latencyMs: 0.5 };
    const batch: PackedValue[] = [];
    packEntry(batch, first, table);
    const carried = table.takeNew();
    expect(carried).toEqual([first.method, first.outcome, first.apiId, first.route, first.keyId, first.principalId, first.grantId]);

    const next: PackedValue[] = [];
    packEntry(next, again, table);
    packEntry(next, { ...again, requestId: 'req-3', status: 429, outcome: 'rate_limited', grantId: null }, table);
    expect(table.takeNew()).toEqual(['rate_limited']);
    // Only the request id and the path travel as strings in the batch itself.
    expect(next.filter((value) => typeof value === 'string')).toEqual(['req-2', '/orders/2', 'req-3', '/orders/2']);
    const workerStrings = [...carried, 'rate_limited'];
    expect(unpackEntry(next, 0, workerStrings)).toEqual(again);
    expect(unpackEntry(next, PACKED_FIELDS, workerStrings)).toMatchObject({ requestId: 'req-3', outcome: 'rate_limited', grantId: null, keyId: first.keyId });
  });

  it('asks to start over past its bound, and numbers from zero again once cleared', () => {
    const table = new StringTable();
    for (let i = 0; i <= MAX_TABLE_STRINGS; i++) table.ref(`key-${i}`);
    expect(table.full).toBe(true);
    table.clear();
    expect(table.full).toBe(false);
    expect(table.takeNew()).toEqual([]);
    expect(table.ref('GET')).toBe(0);
    expect(table.takeNew()).toEqual(['GET']);
  });
});
