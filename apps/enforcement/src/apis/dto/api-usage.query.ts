import { z } from 'zod';

/** `days`: how far back a call counts as use. */
export const unusedApisQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(3650).default(90) });
export type UnusedApisQuery = z.infer<typeof unusedApisQuerySchema>;

export const apiConsumersQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(3650).default(30) });
export type ApiConsumersQuery = z.infer<typeof apiConsumersQuerySchema>;
