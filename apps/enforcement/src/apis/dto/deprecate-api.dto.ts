import { z } from 'zod';

export const deprecateApiSchema = z.object({
  /** When the API stops answering; the gateway announces it in the `Sunset` header. */
  sunsetAt: z.iso
    .datetime({ offset: true })
    // A malformed value is already reported by the format check; this one speaks only of well-formed ones.
    .refine((value) => Number.isNaN(Date.parse(value)) || Date.parse(value) > Date.now(), { message: 'must be in the future' }),
});

export type DeprecateApiDto = z.infer<typeof deprecateApiSchema>;
