import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Problem, PROBLEM_TYPES, ProblemType } from '@attest/contracts';
import { DomainError, RequestError, RequestErrorCode, assertUnreachable } from './errors';

export interface ProblemMapping {
  status: number;
  type: ProblemType;
  title: string;
}

export function requestProblem(code: RequestErrorCode): ProblemMapping {
  switch (code) {
    case 'REQUEST.INVALID':
      return { status: 400, type: PROBLEM_TYPES.validation, title: 'Invalid request' };
    case 'REQUEST.UNAUTHENTICATED':
      return { status: 401, type: PROBLEM_TYPES.unauthenticated, title: 'Unauthenticated' };
    case 'REQUEST.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Not found' };
    default:
      return assertUnreachable(code);
  }
}

/**
 * The one HTTP filter of a service: maps domain error codes (through the service's own exhaustive
 * mapping) and the framework's own errors (unknown route, malformed JSON) to RFC 9457 bodies.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(private readonly mapDomain: (error: DomainError) => ProblemMapping) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<{ url: string }>();
    const problem = this.toProblem(error);
    problem.instance = request.url.split('?')[0];
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof RequestError) {
      const mapping = requestProblem(error.code);
      return {
        ...mapping,
        detail: error.message,
        ...(error.fieldErrors.length ? { errors: error.fieldErrors } : {}),
      };
    }
    if (error instanceof DomainError) {
      return { ...this.mapDomain(error), detail: error.message };
    }
    if (error instanceof HttpException) {
      // Raised by the framework before our code runs: unknown route, unparsable JSON, body too large.
      const status = error.getStatus();
      const type = status === 404 ? PROBLEM_TYPES.notFound : status < 500 ? PROBLEM_TYPES.validation : PROBLEM_TYPES.internal;
      return { type, title: error.name, status, detail: error.message };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { type: PROBLEM_TYPES.internal, title: 'Internal error', status: 500 };
  }
}
