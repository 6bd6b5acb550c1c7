import { DomainError } from '@attest/platform';

export type KeyErrorCode = 'KEYS.NOT_FOUND' | 'KEYS.INVALID_NARROWING' | 'KEYS.NOT_ROTATABLE';

export class KeyError extends DomainError<KeyErrorCode> {
  constructor(
    readonly code: KeyErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
