import { z } from 'zod';

export const restoreAccessSchema = z.object({ reason: z.string().trim().min(1).max(4000) });

export type RestoreAccessDto = z.infer<typeof restoreAccessSchema>;
