import { z } from 'zod';

export const retireApiSchema = z.object({
  /** Why the API is retired: kept in the audit record. */
  reason: z.string().trim().min(1).max(2000),
});

export type RetireApiDto = z.infer<typeof retireApiSchema>;
