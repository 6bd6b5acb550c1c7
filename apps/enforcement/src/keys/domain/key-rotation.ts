/** The most grace a rotation may give the old key: long enough for any deployment, short enough to end. */
export const MAX_ROTATION_GRACE_SECONDS = 30 * 86_400;

export interface RotatableKey {
  status: 'active' | 'suspended' | 'revoked';
  expiresAt: Date | null;
  replacedBy: string | null;
}

/** Why a key cannot be rotated, or null when it can: only a working key that was not rotated already. */
export function rotationRefusal(key: RotatableKey, now: Date): string | null {
  if (key.status !== 'active') return `is ${key.status}`;
  if (key.expiresAt !== null && key.expiresAt <= now) return 'has expired';
  if (key.replacedBy !== null) return `was already rotated to ${key.replacedBy}; rotate that key instead`;
  return null;
}

/** The old key works until the grace ends, or until it would have expired anyway if that is sooner. */
export function expiryAfterRotation(input: { expiresAt: Date | null; now: Date; graceSeconds: number }): Date {
  const graceEnds = new Date(input.now.getTime() + input.graceSeconds * 1000);
  return input.expiresAt !== null && input.expiresAt < graceEnds ? input.expiresAt : graceEnds;
}
