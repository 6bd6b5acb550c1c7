import { z } from 'zod';

/** Validated as an object so a bad id is reported under its own name, `id`. */
export const decisionParamsSchema = z.object({ id: z.uuid() });

export type DecisionParams = z.infer<typeof decisionParamsSchema>;
