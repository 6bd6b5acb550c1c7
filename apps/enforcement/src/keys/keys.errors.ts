import { DomainError } from '@attest/platform';

export type KeyErrorCode = 'KEYS.NOT_FOUND';

export class KeyError extends DomainError<KeyErrorCode> {
  constructor(
    readonly code: KeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
