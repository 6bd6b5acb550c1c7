import { z } from 'zod';

/** The one envelope every message on every topic travels in. */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  subject: z.string().min(1),
  data: z.unknown(),
  traceparent: z.string().optional(),
});

export type Envelope<T = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: T };
