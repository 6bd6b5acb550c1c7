import { z } from 'zod';

export const listKeysQuerySchema = z.object({ principalId: z.uuid() });

export type ListKeysQuery = z.infer<typeof listKeysQuerySchema>;
