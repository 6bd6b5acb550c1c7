import { z } from 'zod';

export const createGrantSchema = z.object({
  principalId: z.uuid(),
  apiId: z.uuid(),
  scopes: z
    .array(z.string().min(1))
    .min(1)
    .transform((scopes) => [...new Set(scopes)]),
});

export type CreateGrantDto = z.infer<typeof createGrantSchema>;
