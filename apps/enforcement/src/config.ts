import { z } from 'zod';
import { BaseConfig, baseEnvSchema } from '@attest/platform';

export const SERVICE = 'enforcement';
export const SCHEMA = 'enforcement';

/** Well known, so it must never protect production keys: production refuses to start with it. */
export const DEV_API_KEY_PEPPER = 'attest-dev-pepper-change-me';

export const enforcementEnvSchema = baseEnvSchema
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** Server-side secret keying the HMAC of every API key secret; shared with the gateway. */
    API_KEY_PEPPER: z.string().min(16).default(DEV_API_KEY_PEPPER),
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
