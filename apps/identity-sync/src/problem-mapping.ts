import { PROBLEM_TYPES } from '@attest/contracts';
import { assertUnreachable, DomainError, ProblemMapping } from '@attest/platform';

/** No feature raises a domain error yet; each one adds its code union here. */
export type IdentitySyncErrorCode = never;

export function problemForCode(code: IdentitySyncErrorCode): ProblemMapping {
  switch (code) {
    default:
      return assertUnreachable(code);
  }
}

/** The service's mapping from its domain errors to problem types, handed to the platform's filter. */
export function identitySyncProblem(_error: DomainError): ProblemMapping {
  // A domain error this service does not declare is a bug on our side, not the client's.
  return { status: 500, type: PROBLEM_TYPES.internal, title: 'Internal error' };
}
