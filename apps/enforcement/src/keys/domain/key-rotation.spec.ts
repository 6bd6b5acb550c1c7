import { expiryAfterRotation, rotationRefusal } from './key-rotation';

const now = new Date('2030-01-01T00:00:00.000Z');
const working = { status: 'active' as const, expiresAt: null, replacedBy: null };

describe('expiryAfterRotation', () => {
  it('ends the old key when the grace ends', () => {
    expect(expiryAfterRotation({ expiresAt: null, now, graceSeconds: 3600 })).toEqual(new Date('2030-01-01T01:00:00.000Z'));
    expect(expiryAfterRotation({ expiresAt: new Date('2031-01-01T00:00:00.000Z'), now, graceSeconds: 60 })).toEqual(
      new Date('2030-01-01T00:01:00.000Z'),
    );
  });

  it('never extends a key past the expiry it already had', () => {
    const expiresAt = new Date('2030-01-01T00:00:30.000Z');
    expect(expiryAfterRotation({ expiresAt, now, graceSeconds: 3600 })).toEqual(expiresAt);
  });

  it('ends the old key at once with no grace', () => {
    expect(expiryAfterRotation({ expiresAt: null, now, graceSeconds: 0 })).toEqual(now);
  });
});

describe('rotationRefusal', () => {
  it('rotates a working key', () => {
    expect(rotationRefusal(working, now)).toBeNull();
    expect(rotationRefusal({ ...working, expiresAt: new Date('2030-01-02T00:00:00.000Z') }, now)).toBeNull();
  });

  it('refuses a revoked, suspended or expired key, and one already rotated', () => {
    expect(rotationRefusal({ ...working, status: 'revoked' }, now)).toBe('is revoked');
    expect(rotationRefusal({ ...working, status: 'suspended' }, now)).toBe('is suspended');
    expect(rotationRefusal({ ...working, expiresAt: now }, now)).toBe('has expired');
    expect(rotationRefusal({ ...working, replacedBy: 'k2' }, now)).toMatch(/already rotated to k2/);
  });
});
