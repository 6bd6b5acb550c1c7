import { z } from 'zod';

export const listPrincipalsQuerySchema = z.object({ email: z.email().max(320) });

export type ListPrincipalsQuery = z.infer<typeof listPrincipalsQuerySchema>;
