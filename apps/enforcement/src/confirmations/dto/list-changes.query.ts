import { z } from 'zod';

/** Exactly one subject: a principal's policy changes or an API's catalog changes. */
export const listChangesQuerySchema = z
  .object({
    principalId: z.uuid().optional(),
    apiId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .superRefine((query, ctx) => {
    if ((query.principalId === undefined) === (query.apiId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['principalId'], message: 'give exactly one of principalId or apiId' });
    }
  });

export type ListChangesQuery = z.infer<typeof listChangesQuerySchema>;
