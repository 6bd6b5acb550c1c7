import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { RequestError } from './errors';

/** Validates a body or query against a zod schema; a failure names each bad field. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const fieldErrors = parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    }));
    throw new RequestError('REQUEST.INVALID', `invalid ${fieldErrors.map((e) => e.field).join(', ')}`, fieldErrors);
  }
}

export const uuidParam = new ZodValidationPipe(z.uuid());
