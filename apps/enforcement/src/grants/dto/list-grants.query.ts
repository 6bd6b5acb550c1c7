import { z } from 'zod';

export const listGrantsQuerySchema = z.object({ principalId: z.uuid() });

export type ListGrantsQuery = z.infer<typeof listGrantsQuerySchema>;
