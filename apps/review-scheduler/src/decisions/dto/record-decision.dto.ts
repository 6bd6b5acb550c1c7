import { z } from 'zod';
import { reviewDecisionKindSchema } from '@attest/contracts';

export const recordDecisionSchema = z.object({
  grantId: z.uuid(),
  decision: reviewDecisionKindSchema,
  reviewer: z.string().trim().min(1).max(320),
  reason: z.string().max(4000),
});

export type RecordDecisionRequest = z.infer<typeof recordDecisionSchema>;

export interface RecordDecisionResponse {
  decisionId: string;
}
