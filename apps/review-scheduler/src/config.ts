import { z } from 'zod';
import { baseEnvSchema, BaseConfig } from '@attest/platform';

export const SERVICE = 'review-scheduler';
export const SCHEMA = 'review_scheduler';

export const reviewSchedulerEnvSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3004),
});

export type ReviewSchedulerConfig = BaseConfig & z.infer<typeof reviewSchedulerEnvSchema>;
