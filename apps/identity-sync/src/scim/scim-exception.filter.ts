import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { assertUnreachable } from '@attest/platform';
import { SCIM_SCHEMAS } from './domain/scim-resources';
import { ScimProtocolError, ScimType } from './domain/scim-protocol.error';
import { ScimError, ScimErrorCode } from './scim.errors';

interface ScimFailure {
  status: number;
  scimType?: ScimType;
  detail: string;
}

export function scimFailureForCode(code: ScimErrorCode): { status: number } {
  switch (code) {
    case 'SCIM.UNAUTHENTICATED':
      return { status: 401 };
    case 'SCIM.NOT_FOUND':
      return { status: 404 };
    default:
      return assertUnreachable(code);
  }
}

/**
 * SCIM clients parse SCIM error bodies (RFC 7644 §3.12), not problem+json, so SCIM controllers answer every
 * failure with this filter instead of the service-wide one.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ScimExceptionFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    sendScimError(host.switchToHttp().getResponse<Response>(), this.toFailure(error));
  }

  private toFailure(error: unknown): ScimFailure {
    if (error instanceof ScimProtocolError) {
      return { status: error.scimType === 'uniqueness' ? 409 : 400, scimType: error.scimType, detail: error.message };
    }
    if (error instanceof ScimError) return { ...scimFailureForCode(error.code), detail: error.message };
    if (error instanceof HttpException) return { status: error.getStatus(), detail: error.message };
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { status: 500, detail: 'internal error' };
  }
}

export function sendScimError(response: Response, failure: ScimFailure): void {
  if (failure.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
  response
    .status(failure.status)
    .type('application/scim+json')
    .send(
      JSON.stringify({
        schemas: [SCIM_SCHEMAS.error],
        // RFC 7644 makes the status a string.
        status: String(failure.status),
        ...(failure.scimType ? { scimType: failure.scimType } : {}),
        detail: failure.detail,
      }),
    );
}
