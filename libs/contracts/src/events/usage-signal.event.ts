import { z } from 'zod';

/** Usage evidence crossing a threshold for one grant (topic key: grant id). */
export const usageSignalSchema = z.object({
  kind: z.enum(['dormant', 'first-use']),
  grantId: z.uuid(),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
  daysSinceUse: z.number().int().nonnegative().nullable(),
});

export type UsageSignal = z.infer<typeof usageSignalSchema>;
