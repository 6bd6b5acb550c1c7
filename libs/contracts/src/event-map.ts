import { z } from 'zod';
import { TOPICS, Topic } from './topics';
import { policyStateSchema } from './events/policy-state.event';
import { catalogStateSchema } from './events/catalog-state.event';
import { accessGrantSchema } from './events/access-grant.event';
import { reviewDecisionSchema } from './events/review-decision.event';
import { accessLogBatchSchema, accessLogColumnsSchema, accessLogSchema } from './events/access-log.event';
import { identityEventSchema } from './events/identity.event';
import { auditEventSchema } from './events/audit.event';
import { usageSignalSchema } from './events/usage-signal.event';
import { usageLastUsedSchema } from './events/usage-last-used.event';
import { gatewayAppliedSchema } from './events/gateway-applied.event';

/** What each topic carries: its envelope `type`, schema `version` and payload schema. */
export const EVENT_CONTRACTS = {
  [TOPICS.identityEvents]: { type: 'identity.event', version: 1, schema: identityEventSchema },
  [TOPICS.policyState]: { type: 'policy.state', version: 1, schema: policyStateSchema },
  [TOPICS.catalogState]: { type: 'catalog.state', version: 1, schema: catalogStateSchema },
  [TOPICS.accessGrants]: { type: 'access.grant', version: 1, schema: accessGrantSchema },
  [TOPICS.auditEvents]: { type: 'audit.event', version: 1, schema: auditEventSchema },
  [TOPICS.reviewDecisions]: { type: 'review.decision', version: 1, schema: reviewDecisionSchema },
  [TOPICS.accessLog]: { type: 'gateway.access', version: 1, schema: accessLogSchema },
  [TOPICS.accessLogBatches]: { type: 'gateway.access-batch', version: 1, schema: accessLogBatchSchema },
  [TOPICS.accessLogColumns]: { type: 'gateway.access-columns', version: 1, schema: accessLogColumnsSchema },
  [TOPICS.usageSignals]: { type: 'usage.signal', version: 1, schema: usageSignalSchema },
  [TOPICS.usageLastUsed]: { type: 'usage.last-used', version: 1, schema: usageLastUsedSchema },
  [TOPICS.gatewayApplied]: { type: 'gateway.applied', version: 1, schema: gatewayAppliedSchema },
} as const satisfies Record<Topic, { type: string; version: number; schema: z.ZodType }>;

/** Typed map from topic to payload as consumers see it, after validation and defaults. */
export type EventMap = { [T in Topic]: z.output<(typeof EVENT_CONTRACTS)[T]['schema']> };

/** What a producer may pass for a topic, so `publish(topic, payload)` cannot send the wrong shape. */
export type EventInputMap = { [T in Topic]: z.input<(typeof EVENT_CONTRACTS)[T]['schema']> };
