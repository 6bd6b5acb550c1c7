import { z } from 'zod';

export const createPrincipalSchema = z.object({
  type: z.enum(['service', 'user']),
  displayName: z.string().trim().min(1).max(200),
  email: z.email().optional(),
});

export type CreatePrincipalDto = z.infer<typeof createPrincipalSchema>;
