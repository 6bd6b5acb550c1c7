import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from '@attest/persistence';

export const DEV_ADMIN_TOKEN = 'attest-dev-admin-token';

/**
 * Settings every service reads. Validation errors name a variable and what is wrong, never its value,
 * since several settings are secrets.
 */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url().default(DEFAULT_DATABASE_URL),
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  /** Consumer groups are `<prefix>.<service>`; test runs use their own prefix so they never share a group with a dev cluster. */
  KAFKA_GROUP_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/).default('attest'),
  /** Where a new consumer group starts reading: `earliest` in production; test runs use `latest`. */
  KAFKA_CONSUMER_START: z.enum(['earliest', 'latest']).default('earliest'),
  ATTEST_ADMIN_TOKEN: z.string().min(16).optional(),
});

/** Requires an admin token in production; development and test fall back to a well-known default. */
export function withAdminToken<T extends { NODE_ENV: string; ATTEST_ADMIN_TOKEN?: string }>(
  config: T,
): T & { ATTEST_ADMIN_TOKEN: string } {
  if (config.ATTEST_ADMIN_TOKEN) return config as T & { ATTEST_ADMIN_TOKEN: string };
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(['ATTEST_ADMIN_TOKEN: required when NODE_ENV=production']);
  }
  return { ...config, ATTEST_ADMIN_TOKEN: DEV_ADMIN_TOKEN };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Validates the environment against the service's schema. The message names each bad variable and
 * what is wrong with it, never its value (it may be a secret).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, unknown> = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return parsed.data;
}
