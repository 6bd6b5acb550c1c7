import { DomainError } from '@attest/platform';

export type SyncErrorCode = 'SYNC.ALREADY_RUNNING' | 'SYNC.OKTA_NOT_CONFIGURED' | 'SYNC.RUN_NOT_FOUND';

export class SyncError extends DomainError<SyncErrorCode> {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
  ) {
    super(message);
  }
}
