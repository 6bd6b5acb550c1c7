import { z } from 'zod';
import { identityStatusSchema } from '@attest/contracts';

/** `GET /v1/directory/principals`: look a person up by any identifier the identity provider uses. */
export const listPrincipalsQuerySchema = z
  .object({
    email: z.string().min(1).optional(),
    userName: z.string().min(1).optional(),
    oktaId: z.string().min(1).optional(),
    externalId: z.string().min(1).optional(),
    status: identityStatusSchema.optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export type ListPrincipalsQuery = z.infer<typeof listPrincipalsQuerySchema>;
