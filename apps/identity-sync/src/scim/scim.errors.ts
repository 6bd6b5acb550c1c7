import { DomainError } from '@attest/platform';

export type ScimErrorCode = 'SCIM.UNAUTHENTICATED' | 'SCIM.NOT_FOUND';

/** Failures of the SCIM service itself; SCIM's request rules raise `ScimProtocolError` from the domain. */
export class ScimError extends DomainError<ScimErrorCode> {
  constructor(
    readonly code: ScimErrorCode,
    message: string,
  ) {
    super(message);
  }
}
