import { z } from 'zod';

export const reviewDecisionKindSchema = z.enum(['revoke', 'keep']);

/** A reviewer's decision on one grant (topic key: grant id). */
export const reviewDecisionSchema = z.object({
  decisionId: z.uuid(),
  grantId: z.uuid(),
  decision: reviewDecisionKindSchema,
  reviewer: z.string().min(1),
  reason: z.string(),
  decidedAt: z.iso.datetime({ offset: true }),
});

export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;
export type ReviewDecisionKind = z.infer<typeof reviewDecisionKindSchema>;
