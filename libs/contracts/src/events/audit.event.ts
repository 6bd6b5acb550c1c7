import { z } from 'zod';

/** Who did what to which object, and why (topic key: target id). */
export const auditEventSchema = z.object({
  actor: z.string().min(1),
  action: z.string().min(1),
  targetType: z.string().min(1),
  targetId: z.string().min(1),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export type AuditEvent = z.infer<typeof auditEventSchema>;
