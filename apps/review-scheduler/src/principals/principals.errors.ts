import { DomainError } from '@attest/platform';

export type PrincipalsErrorCode = 'PRINCIPALS.NOT_FOUND';

export class PrincipalsError extends DomainError<PrincipalsErrorCode> {
  constructor(
    readonly code: PrincipalsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
