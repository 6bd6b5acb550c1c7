import { DomainError } from '@attest/platform';

export type ApiErrorCode = 'APIS.NOT_FOUND' | 'APIS.BASE_PATH_TAKEN';

export class ApiError extends DomainError<ApiErrorCode> {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
