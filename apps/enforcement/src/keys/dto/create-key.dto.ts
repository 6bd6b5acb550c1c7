import { z } from 'zod';

export const createKeySchema = z.object({
  principalId: z.uuid(),
  name: z.string().trim().min(1).max(200),
});

export type CreateKeyDto = z.infer<typeof createKeySchema>;
