import { z } from 'zod';

/** `POST /v1/sync`: resumes an unfinished run by default; `fresh` abandons it and starts over. */
export const startSyncSchema = z
  .object({
    fresh: z.boolean().default(false),
  })
  .strict()
  .default({ fresh: false });

export type StartSyncDto = z.infer<typeof startSyncSchema>;
