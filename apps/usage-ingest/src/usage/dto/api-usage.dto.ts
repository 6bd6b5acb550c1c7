import { z } from 'zod';

/** Validated as an object so a bad id is reported under its own name, `apiId`. */
export const apiUsageParamsSchema = z.object({ apiId: z.uuid() });

export type ApiUsageParams = z.infer<typeof apiUsageParamsSchema>;

/**
 * Calls to one API by every key. usage-ingest learns of APIs only through calls, so an API nobody
 * called answers like an unknown one: no last use and zero requests.
 */
export interface ApiUsageResponse {
  apiId: string;
  lastUsedAt: string | null;
  requests: number;
}
