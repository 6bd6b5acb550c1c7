import { z } from 'zod';

/** Paging is 1-based (RFC 7644 §3.4.2.4); `count` is capped so one page stays small. */
export const scimListQuerySchema = z.looseObject({
  filter: z.string().min(1).optional(),
  startIndex: z.coerce.number().int().catch(1).default(1).transform((n) => Math.max(1, n)),
  count: z.coerce.number().int().catch(100).default(100).transform((n) => Math.min(Math.max(0, n), 1000)),
  excludedAttributes: z.string().optional(),
  attributes: z.string().optional(),
});

export type ScimListQuery = z.infer<typeof scimListQuerySchema>;
