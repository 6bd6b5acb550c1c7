import { z } from 'zod';

export const accessOutcomeSchema = z.enum([
  'allowed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'retired',
  'rate_limited',
  'unavailable',
  'upstream_error',
]);

/** One request seen by the gateway (topic key: key id, or request id when no key matched). */
export const accessLogSchema = z.object({
  requestId: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  method: z.string().min(1),
  path: z.string(),
  status: z.number().int(),
  outcome: accessOutcomeSchema,
  latencyMs: z.number().nonnegative(),
  apiId: z.uuid().nullable(),
  route: z.string().nullable(),
  keyId: z.uuid().nullable(),
  principalId: z.uuid().nullable(),
  grantId: z.uuid().nullable(),
  gatewayId: z.string().min(1),
});

export type AccessLogRecord = z.infer<typeof accessLogSchema>;
export type AccessOutcome = z.infer<typeof accessOutcomeSchema>;
