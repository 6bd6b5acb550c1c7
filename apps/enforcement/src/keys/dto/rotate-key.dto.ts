import { z } from 'zod';
import { MAX_ROTATION_GRACE_SECONDS } from '../domain/key-rotation';
import { futureInstantSchema } from './create-key.dto';

export const rotateKeySchema = z.object({
  /** How long the old key keeps working (never past the expiry it already had); 0 ends it at once. */
  graceSeconds: z.number().int().min(0).max(MAX_ROTATION_GRACE_SECONDS),
  /** When the new key expires; absent: never. */
  expiresAt: futureInstantSchema.optional(),
});

export type RotateKeyDto = z.infer<typeof rotateKeySchema>;
