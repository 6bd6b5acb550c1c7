import { z } from 'zod';
import { BaseConfig, baseEnvSchema } from '@attest/platform';
import { ORPHANED_ACCESS_MODES } from './identities/domain/identity-transition';

export const SERVICE = 'enforcement';
export const SCHEMA = 'enforcement';

/** Well known, so it must never protect production keys: production refuses to start with it. */
export const DEV_API_KEY_PEPPER = 'attest-dev-pepper-change-me';

export const enforcementEnvSchema = baseEnvSchema
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** Server-side secret keying the HMAC of every API key secret; shared with the gateway. */
    API_KEY_PEPPER: z.string().min(16).default(DEV_API_KEY_PEPPER),
    /**
     * What a principal leaving the identity provider does to its access. `suspend` (default): keys
     * stop working and grants are orphaned at once. `flag`: grants are orphaned and sent for review,
     * but keys and grants keep working until a reviewer decides: no outage from a mistaken
     * deprovisioning, at the price of a departed person's credentials staying usable meanwhile.
     */
    ORPHANED_ACCESS_MODE: z.enum(ORPHANED_ACCESS_MODES).default('suspend'),
    /** A gateway replica with no heartbeat for this long is reported silent and no longer awaited (3× its ~2 s interval, plus slack). */
    REPLICA_SILENT_AFTER_MS: z.coerce.number().int().min(1).default(10_000),
    /** Replicas not heard from for this long drop out of the status report. */
    REPLICA_FORGET_AFTER_MS: z.coerce.number().int().min(1).default(86_400_000),
    /** How often the reconciler compares the database with the compacted topics and republishes what drifted. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
    /** How long one reconciler run may take to read the compacted topics before it gives up (and counts a failed run). */
    RECONCILE_READ_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && config.API_KEY_PEPPER === DEV_API_KEY_PEPPER) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_KEY_PEPPER'],
        message: 'required when NODE_ENV=production (set it to a long random secret shared with the gateway)',
      });
    }
  });

export type EnforcementConfig = BaseConfig & z.infer<typeof enforcementEnvSchema>;
