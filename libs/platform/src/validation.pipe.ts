import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { RequestError } from './errors';

/** Validates a body or query against a zod schema; a failure names each bad field. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata?: ArgumentMetadata): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    // A path or query parameter validated on its own is named by its decorator, e.g. @Param('id').
    const whole = metadata?.data ?? (metadata?.type === 'body' || !metadata ? '(body)' : `(${metadata.type})`);
    const fieldErrors = parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || whole,
      message: issue.message,
    }));
    throw new RequestError('REQUEST.INVALID', `invalid ${fieldErrors.map((e) => e.field).join(', ')}`, fieldErrors);
  }
}

export const uuidParam = new ZodValidationPipe(z.uuid());
