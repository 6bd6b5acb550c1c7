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
    /** `local`: each replica enforces limits alone; `redis`: replicas share consumption through Redis, synced in the background. */
    RATE_LIMIT_MODE: z.enum(['local', 'redis']).default('local'),
    REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
    /** How often local consumption is pushed to Redis and the cluster's totals read back: the bound on how far replicas may overshoot together. */
    RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(10).max(10_000).default(50),
    /** How long the gateway may go without hearing from the broker before it stops trusting its policy view. */
    POLICY_STALENESS_BUDGET_MS: z.coerce.number().int().positive().default(30_000),
    /** Past the budget: `deny` answers 503 and fails readiness; `serve` keeps enforcing the last view it has. */
    STALE_POLICY_MODE: z.enum(['deny', 'serve']).default('deny'),
    HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
    /** `worker`: access logs are produced to Kafka from a worker thread, off the request thread; `inline`: in the request thread. */
    ACCESS_LOG_MODE: z.enum(['worker', 'inline']).default('worker'),
    /**
     * The access-log worker thread's nice value (Linux): above 0 it yields a contended core to the
     * request thread. If it falls too far behind, the request thread produces the excess itself.
     */
    ACCESS_LOG_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
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
