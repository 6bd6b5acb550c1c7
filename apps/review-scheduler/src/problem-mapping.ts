import { PROBLEM_TYPES } from '@attest/contracts';
import { assertUnreachable, DomainError, ProblemMapping } from '@attest/platform';
import { DecisionsError, DecisionsErrorCode } from './decisions/decisions.error';

export type ReviewSchedulerErrorCode = DecisionsErrorCode;

export function problemForCode(code: ReviewSchedulerErrorCode): ProblemMapping {
  switch (code) {
    case 'DECISIONS.GRANT_NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Grant not found' };
    case 'DECISIONS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Decision not found' };
    default:
      return assertUnreachable(code);
  }
}

/** The service's mapping from its domain errors to problem types, handed to the platform's filter. */
export function reviewSchedulerProblem(error: DomainError): ProblemMapping {
  if (error instanceof DecisionsError) return problemForCode(error.code);
  // A domain error this service does not declare is a bug on our side, not the client's.
  return { status: 500, type: PROBLEM_TYPES.internal, title: 'Internal error' };
}
