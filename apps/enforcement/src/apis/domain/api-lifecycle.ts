import type { CatalogState } from '@attest/contracts';

const DAY_MS = 86_400_000;

export type ApiStatus = CatalogState['status'];

/** What an admin may still do with an API in a given status. */
export function lifecycleRefusal(input: { status: ApiStatus; action: 'update' | 'deprecate' | 'retire' | 'grant' | 'narrow' }): string | null {
  if (input.status !== 'retired') return null;
  switch (input.action) {
    case 'retire':
      return 'is already retired';
    case 'grant':
      return 'is retired: it can no longer be granted';
    case 'narrow':
      return 'is retired: no key can be narrowed to it';
    default:
      return `is retired: it can no longer be ${input.action === 'update' ? 'changed' : 'deprecated'}`;
  }
}

/**
 * From when a call makes a key a consumer of an API: the last `days` days, or since the API was
 * deprecated if that is longer ago, so a key that called a deprecated API once after the
 * announcement is still listed however long ago that was.
 */
export function consumerWindowStart(input: { now: Date; days: number; deprecatedAt: Date | null }): Date {
  const recent = new Date(input.now.getTime() - input.days * DAY_MS);
  return input.deprecatedAt && input.deprecatedAt < recent ? input.deprecatedAt : recent;
}

/** Calls before this moment do not count as recent use. */
export function unusedSince(input: { now: Date; days: number }): Date {
  return new Date(input.now.getTime() - input.days * DAY_MS);
}
