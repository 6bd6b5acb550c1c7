import { z } from 'zod';

/**
 * When a key last called an API (topic key: `<keyId>:<apiId>`), published by usage-ingest when it
 * moves by more than its publishing interval, so other services keep last-use evidence of their own.
 */
export const usageLastUsedSchema = z.object({
  keyId: z.uuid(),
  principalId: z.uuid(),
  apiId: z.uuid(),
  grantId: z.uuid().nullable(),
  lastUsedAt: z.iso.datetime({ offset: true }),
  requests: z.number().int().nonnegative(),
});

export type UsageLastUsed = z.infer<typeof usageLastUsedSchema>;

export function usageLastUsedKey(record: { keyId: string; apiId: string }): string {
  return `${record.keyId}:${record.apiId}`;
}
