import { z } from 'zod';

export const topicPositionSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  /** The next offset the replica will read: every record below it has been applied. */
  offset: z.string().regex(/^\d+$/),
});

/**
 * A gateway replica's heartbeat (topic key: gateway id): what it has applied, so enforcement can say
 * when a change was enforced on every live replica and report a replica that stops confirming.
 */
export const gatewayAppliedSchema = z.object({
  gatewayId: z.string().min(1),
  startedAt: z.iso.datetime({ offset: true }),
  at: z.iso.datetime({ offset: true }),
  ready: z.boolean(),
  /** Milliseconds since the replica last heard from the broker. */
  stalenessMs: z.number().nonnegative(),
  /** Records on the policy topics not yet applied, summed over partitions. */
  lag: z.number().int().nonnegative(),
  positions: z.array(topicPositionSchema),
});

export type GatewayApplied = z.infer<typeof gatewayAppliedSchema>;
export type TopicPosition = z.infer<typeof topicPositionSchema>;
