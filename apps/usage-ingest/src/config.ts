import { z } from 'zod';
import { baseEnvSchema, BaseConfig } from '@attest/platform';

export const SERVICE = 'usage-ingest';
export const SCHEMA = 'usage_ingest';

export const usageIngestEnvSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3003),
});

export type UsageIngestConfig = BaseConfig & z.infer<typeof usageIngestEnvSchema>;
