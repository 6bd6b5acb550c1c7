import { DomainError } from '@attest/platform';

export type GrantErrorCode = 'GRANTS.NOT_FOUND' | 'GRANTS.UNKNOWN_SCOPE' | 'GRANTS.ALREADY_GRANTED';

export class GrantError extends DomainError<GrantErrorCode> {
  constructor(
    readonly code: GrantErrorCode,
    message: string,
  ) {
    super(message);
  }
}
