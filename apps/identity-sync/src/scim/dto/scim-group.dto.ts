import { z } from 'zod';

export const scimGroupSchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  displayName: z.string().trim().min(1),
  externalId: z.string().nullish(),
  members: z.array(z.looseObject({ value: z.string().min(1) })).nullish(),
});

export type ScimGroupDto = z.infer<typeof scimGroupSchema>;
