import { DomainError } from '@attest/platform';

export type DirectoryErrorCode = 'DIRECTORY.PRINCIPAL_NOT_FOUND';

export class DirectoryError extends DomainError<DirectoryErrorCode> {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
