import { DomainError } from '@attest/platform';

export type PrincipalErrorCode = 'PRINCIPALS.NOT_FOUND' | 'PRINCIPALS.NOT_ACTIVE';

export class PrincipalError extends DomainError<PrincipalErrorCode> {
  constructor(
    readonly code: PrincipalErrorCode,
    message: string,
  ) {
    super(message);
  }
}
