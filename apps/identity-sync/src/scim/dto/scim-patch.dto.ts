import { z } from 'zod';

export const scimPatchSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  Operations: z
    .array(
      z.looseObject({
        op: z.string().min(1),
        path: z.string().nullish(),
        value: z.unknown().optional(),
      }),
    )
    .min(1),
});

export type ScimPatchDto = z.infer<typeof scimPatchSchema>;
