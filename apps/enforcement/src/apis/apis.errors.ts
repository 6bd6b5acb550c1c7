import { DomainError } from '@attest/platform';

export type ApiErrorCode = 'APIS.NOT_FOUND' | 'APIS.BASE_PATH_TAKEN' | 'APIS.RETIRED';

export class ApiError extends DomainError<ApiErrorCode> {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
