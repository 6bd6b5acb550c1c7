import { DomainError } from '@attest/platform';

export type DecisionsErrorCode = 'DECISIONS.GRANT_NOT_FOUND' | 'DECISIONS.NOT_FOUND';

export class DecisionsError extends DomainError<DecisionsErrorCode> {
  constructor(
    readonly code: DecisionsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
