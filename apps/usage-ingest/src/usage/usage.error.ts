import { DomainError } from '@attest/platform';

export type UsageErrorCode = 'USAGE.GRANT_NOT_FOUND';

export class UsageError extends DomainError<UsageErrorCode> {
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
