import { CallHandler, ExecutionContext, Injectable, NestInterceptor, NestMiddleware, PipeTransform } from '@nestjs/common';
import { json, NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { ScimProtocolError } from './domain/scim-protocol.error';
import { sendScimError } from './scim-exception.filter';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** Parses `application/scim+json` bodies, which the service's JSON parser leaves alone; a malformed one is a SCIM 400. */
@Injectable()
export class ScimJsonBodyMiddleware implements NestMiddleware {
  private readonly parse = json({ type: [SCIM_CONTENT_TYPE, 'application/json'], limit: '1mb' });

  use(request: Request, response: Response, next: NextFunction): void {
    this.parse(request, response, (error?: unknown) => {
      if (!error) return next();
      const status = (error as { status?: number }).status ?? 400;
      sendScimError(response, { status, scimType: status === 400 ? 'invalidSyntax' : undefined, detail: 'the request body is not valid JSON' });
    });
  }
}

/** Every SCIM answer is `application/scim+json`. */
@Injectable()
export class ScimContentTypeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    context.switchToHttp().getResponse<Response>().type(SCIM_CONTENT_TYPE);
    return next.handle();
  }
}

/** Validates a SCIM body; a failure names each bad attribute, as a SCIM `invalidValue` error. */
export class ScimValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    if (value === undefined || value === null || typeof value !== 'object') {
      throw new ScimProtocolError('invalidSyntax', 'a JSON object body is required');
    }
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const fields = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
    throw new ScimProtocolError('invalidValue', fields.join('; '));
  }
}

/** Where this SCIM service is reached, for `meta.location` and `Location`. */
export function scimBaseUrl(request: Request): string {
  return `${request.protocol}://${request.get('host')}/scim/v2`;
}
