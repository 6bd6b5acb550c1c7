import { z } from 'zod';

const logTargetSchema = z.looseObject({ id: z.string().optional(), type: z.string().optional() });

/** One System Log event inside a delivery; only what the mirror reads is checked, the rest is kept as sent. */
export const oktaLogEventSchema = z.looseObject({
  uuid: z.string().optional(),
  eventType: z.string().min(1),
  published: z.string().optional(),
  outcome: z.looseObject({ result: z.string().nullish() }).nullish(),
  target: z.array(logTargetSchema).nullish(),
});

/** Okta's Event Hook request body (`com.okta.event_hook`). */
export const eventHookDeliverySchema = z.looseObject({
  eventType: z.string().optional(),
  eventId: z.string().min(1).max(200),
  eventTime: z.iso.datetime({ offset: true }).optional(),
  data: z.looseObject({ events: z.array(oktaLogEventSchema).max(1000) }),
});

export type EventHookDeliveryDto = z.infer<typeof eventHookDeliverySchema>;
export type OktaLogEventDto = z.infer<typeof oktaLogEventSchema>;
