import { z } from 'zod';
import { baseEnvSchema, BaseConfig } from '@attest/platform';

export const SERVICE = 'identity-sync';
export const SCHEMA = 'identity_sync';

export const identitySyncEnvSchema = baseEnvSchema.extend({
  PORT: z.coerce.number().int().min(1).max(65535).default(3002),
});

export type IdentitySyncConfig = BaseConfig & z.infer<typeof identitySyncEnvSchema>;
