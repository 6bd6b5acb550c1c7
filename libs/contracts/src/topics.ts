/**
 * Kafka topic names. A published name never changes: a breaking change to a payload is a new `.vN`
 * topic with a migration plan, never an edit here.
 */
export const TOPICS = {
  identityEvents: 'identity.events.v1',
  policyState: 'policy.state.v1',
  catalogState: 'catalog.state.v1',
  accessGrants: 'access.grants.v1',
  auditEvents: 'audit.events.v1',
  reviewDecisions: 'review.decisions.v1',
  /** One request per message; still consumed while gateways that produce it remain. */
  accessLog: 'gateway.access-log.v1',
  /** Many requests per message (what gateways produce): a tenth of the Kafka work per request. */
  accessLogBatches: 'gateway.access-log.v2',
  /** Many requests per message in columns, every id said once per message: a quarter of v2's bytes. */
  accessLogColumns: 'gateway.access-log.v3',
  usageSignals: 'usage.signals.v1',
  usageLastUsed: 'usage.last-used.v1',
  gatewayApplied: 'gateway.applied.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Where a message that failed validation or processing is parked, with its reason. */
export function deadLetterTopic(topic: Topic): string {
  return `${topic}.dlq`;
}

export interface TopicSpec {
  topic: Topic;
  /** Compacted topics carry the full current state per key; a consumer reading from the start rebuilds the view. */
  compacted: boolean;
  partitions: number;
}

export const TOPIC_SPECS: Record<Topic, TopicSpec> = {
  [TOPICS.identityEvents]: { topic: TOPICS.identityEvents, compacted: false, partitions: 3 },
  [TOPICS.policyState]: { topic: TOPICS.policyState, compacted: true, partitions: 3 },
  [TOPICS.catalogState]: { topic: TOPICS.catalogState, compacted: true, partitions: 1 },
  [TOPICS.accessGrants]: { topic: TOPICS.accessGrants, compacted: true, partitions: 3 },
  [TOPICS.auditEvents]: { topic: TOPICS.auditEvents, compacted: false, partitions: 1 },
  [TOPICS.reviewDecisions]: { topic: TOPICS.reviewDecisions, compacted: false, partitions: 3 },
  [TOPICS.accessLog]: { topic: TOPICS.accessLog, compacted: false, partitions: 3 },
  [TOPICS.accessLogBatches]: { topic: TOPICS.accessLogBatches, compacted: false, partitions: 3 },
  [TOPICS.accessLogColumns]: { topic: TOPICS.accessLogColumns, compacted: false, partitions: 3 },
  [TOPICS.usageSignals]: { topic: TOPICS.usageSignals, compacted: false, partitions: 3 },
  [TOPICS.usageLastUsed]: { topic: TOPICS.usageLastUsed, compacted: true, partitions: 3 },
  [TOPICS.gatewayApplied]: { topic: TOPICS.gatewayApplied, compacted: true, partitions: 1 },
};
