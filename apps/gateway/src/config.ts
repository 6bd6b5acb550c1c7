import { hostname } from 'node:os';
import { z } from 'zod';
import { baseEnvSchema, loadConfig } from '@attest/platform';

/** Well known, so it must never protect production keys: production refuses to start with it (as enforcement does). */
export const DEV_API_KEY_PEPPER = 'attest-dev-pepper-change-me';

/** The gateway has no database, so it takes only the broker-related settings of the shared base schema. */
export const gatewayEnvSchema = baseEnvSchema
  .pick({ NODE_ENV: true, LOG_LEVEL: true, KAFKA_BROKERS: true, KAFKA_GROUP_PREFIX: true })
  .extend({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Server-side secret keying the HMAC of every API key secret; the same value enforcement uses. */
    API_KEY_PEPPER: z.string().min(16).default(DEV_API_KEY_PEPPER),
    /** Names this replica in access-log records. */
    GATEWAY_ID: z
      .string()
      .min(1)
      .default(() => `${hostname()}-${process.pid}`),
    UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(10000),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && config.API_KEY_PEPPER === DEV_API_KEY_PEPPER) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_KEY_PEPPER'],
        message: 'required when NODE_ENV=production (set it to the secret enforcement hashes keys with)',
      });
    }
  });

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;

export function loadGatewayConfig(env: Record<string, unknown> = process.env): GatewayConfig {
  return loadConfig(gatewayEnvSchema, env);
}
