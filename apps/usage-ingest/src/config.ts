import { z } from 'zod';
import { baseEnvSchema, BaseConfig } from '@attest/platform';

export const SERVICE = 'usage-ingest';
export const SCHEMA = 'usage_ingest';

const positiveInt = () => z.coerce.number().int().positive();

export const usageIngestEnvSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3003),
  /** A (key, API) last-used is republished once it moved by more than this since its last publication. */
  LAST_USED_PUBLISH_INTERVAL_MS: z.coerce.number().int().nonnegative().default(60_000),
  /** A grant unused for this many days is signalled dormant (fractions allowed, for tests and trials). */
  DORMANCY_DAYS: z.coerce.number().positive().default(90),
  DORMANCY_CHECK_INTERVAL_MS: positiveInt().default(15 * 60_000),
  /** Access-log fetch tuning: bigger partition batches mean fewer, larger transactions. */
  ACCESS_LOG_MAX_BYTES_PER_PARTITION: positiveInt().default(12 * 1024 * 1024),
  ACCESS_LOG_MAX_BYTES: positiveInt().default(40 * 1024 * 1024),
  ACCESS_LOG_MIN_BYTES: positiveInt().default(1),
  ACCESS_LOG_MAX_WAIT_MS: positiveInt().default(200),
  ACCESS_LOG_PARTITIONS_CONCURRENTLY: positiveInt().default(3),
});

export type UsageIngestConfig = BaseConfig & z.infer<typeof usageIngestEnvSchema>;
