/**
 * Base of every domain exception: a stable string code (`KEYS.NOT_FOUND`) that the transport's
 * filter maps to a status and problem type. Services throw these, never HttpException.
 */
export abstract class DomainError<Code extends string = string> extends Error {
  abstract readonly code: Code;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type RequestErrorCode = 'REQUEST.INVALID' | 'REQUEST.UNAUTHENTICATED' | 'REQUEST.NOT_FOUND';

/** Errors of the HTTP edge itself, shared by every service: bad body, missing admin token, no route. */
export class RequestError extends DomainError<RequestErrorCode> {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly fieldErrors: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
