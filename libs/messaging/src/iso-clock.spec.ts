import { IsoClock } from './iso-clock';

describe('IsoClock', () => {
  it('formats each millisecond once and still gives every time its own string', () => {
    const clock = new IsoClock();
    expect(clock.format(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(clock.format(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(clock.format(1)).toBe('1970-01-01T00:00:00.001Z');
    expect(clock.format(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
