import { holdNextTickShape } from './next-tick-shape';

describe('holdNextTickShape', () => {
  it('holds a genuine nextTick queue entry, the object literal with both async id symbols', () => {
    const held = holdNextTickShape();
    expect(held).not.toBeNull();
    const entry = held as Record<string | symbol, unknown>;
    const symbols = Object.getOwnPropertySymbols(entry).map((symbol) => symbol.description);
    // An active AsyncLocalStorage (Jest has one) adds its own symbol after these two.
    expect(symbols.slice(0, 2)).toEqual(['async_id_symbol', 'trigger_async_id_symbol']);
    expect(typeof entry.callback).toBe('function');
    expect(Object.keys(entry)).toEqual(['callback', 'args']);
  });

  it('holds one entry for the life of the process, however often it is called', () => {
    expect(holdNextTickShape()).toBe(holdNextTickShape());
  });
});
