import { z } from 'zod';
import { baseEnvSchema, BaseConfig } from '@attest/platform';

export const SERVICE = 'identity-sync';
export const SCHEMA = 'identity_sync';

/** Well known, so it must never guard a production SCIM endpoint: production refuses to start without a real one. */
export const DEV_SCIM_BEARER_TOKEN = 'attest-dev-scim-token';

const milliseconds = z.coerce.number().int().min(0);
const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('true')
  .transform((value) => value === 'true' || value === '1');

export const identitySyncEnvSchema = baseEnvSchema
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(3002),

    /** Okta is optional: without an org URL every Okta feature (sync, System Log, Event Hooks) is off. */
    OKTA_ORG_URL: z.url().optional(),
    /** Secret, like OKTA_EVENT_HOOK_SECRET and SCIM_BEARER_TOKEN: read only through config, never logged or echoed. */
    OKTA_API_TOKEN: z.string().min(1).optional(),
    /** How often the SDK itself retries a 429 (it waits until `X-Rate-Limit-Reset`); the sync keeps waiting after that. */
    OKTA_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    /** Requests per rate-limit window the full sync leaves unused, so Event Hook and System Log reads still get through. */
    OKTA_RATE_LIMIT_RESERVE: z.coerce.number().int().min(0).default(5),
    OKTA_USERS_PAGE_SIZE: z.coerce.number().int().min(1).max(200).default(200),
    OKTA_GROUPS_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
    OKTA_MEMBERS_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(1000),
    /** Resume an interrupted full sync at start, or run the first one when none has ever succeeded. */
    OKTA_SYNC_ON_START: flag,
    /** A periodic full sync repairs anything both webhooks and the System Log missed; 0 turns it off. */
    OKTA_FULL_SYNC_INTERVAL_MS: milliseconds.default(86_400_000),
    /** A missed Event Hook is caught up by the System Log poll within this interval; 0 turns polling off. */
    OKTA_LOG_POLL_INTERVAL_MS: milliseconds.default(15_000),
    /** Okta sends this header with the configured value on every Event Hook call (it signs nothing). */
    OKTA_EVENT_HOOK_HEADER: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .default('authorization')
      .transform((name) => name.toLowerCase()),
    OKTA_EVENT_HOOK_SECRET: z.string().min(16).optional(),
    /** Fallback poll of the Event Hook inbox, for deliveries stored by another replica or before a crash. */
    OKTA_EVENT_HOOK_WORKER_INTERVAL_MS: milliseconds.min(10).default(1000),

    SCIM_BEARER_TOKEN: z.string().min(16).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.OKTA_ORG_URL && !config.OKTA_API_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['OKTA_API_TOKEN'], message: 'required when OKTA_ORG_URL is set' });
    }
    if (config.NODE_ENV === 'production' && !config.SCIM_BEARER_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SCIM_BEARER_TOKEN'], message: 'required when NODE_ENV=production' });
    }
  });

export type IdentitySyncConfig = BaseConfig & z.infer<typeof identitySyncEnvSchema>;
