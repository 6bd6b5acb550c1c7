import { PROBLEM_TYPES } from '@attest/contracts';
import { assertUnreachable, DomainError, ProblemMapping } from '@attest/platform';
import { UsageError, UsageErrorCode } from './usage/usage.error';

export type UsageIngestErrorCode = UsageErrorCode;

export function problemForCode(code: UsageIngestErrorCode): ProblemMapping {
  switch (code) {
    case 'USAGE.GRANT_NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Grant not found' };
    default:
      return assertUnreachable(code);
  }
}

/** The service's mapping from its domain errors to problem types, handed to the platform's filter. */
export function usageIngestProblem(error: DomainError): ProblemMapping {
  if (error instanceof UsageError) return problemForCode(error.code);
  // A domain error this service does not declare is a bug on our side, not the client's.
  return { status: 500, type: PROBLEM_TYPES.internal, title: 'Internal error' };
}
