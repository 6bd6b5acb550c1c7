import { z } from 'zod';

/** Validated as an object so a bad id is reported under its own name, `grantId`. */
export const grantUsageParamsSchema = z.object({ grantId: z.uuid() });

export type GrantUsageParams = z.infer<typeof grantUsageParamsSchema>;

export interface GrantUsageResponse {
  grantId: string;
  /** null when the grant has never been used. */
  lastUsedAt: string | null;
  requests: number;
}
