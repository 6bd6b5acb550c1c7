import { PROBLEM_TYPES } from '@attest/contracts';
import { assertUnreachable, DomainError, ProblemMapping } from '@attest/platform';
import { DecisionsError, DecisionsErrorCode } from './decisions/decisions.error';
import { PrincipalsError, PrincipalsErrorCode } from './principals/principals.errors';

export type ReviewSchedulerErrorCode = DecisionsErrorCode | PrincipalsErrorCode;

export function problemForCode(code: ReviewSchedulerErrorCode): ProblemMapping {
  switch (code) {
    case 'DECISIONS.GRANT_NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Grant not found' };
    case 'DECISIONS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Decision not found' };
    case 'PRINCIPALS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Principal not found' };
    default:
      return assertUnreachable(code);
  }
}

/** The service's mapping from its domain errors to problem types, handed to the platform's filter. */
export function reviewSchedulerProblem(error: DomainError): ProblemMapping {
  if (error instanceof DecisionsError || error instanceof PrincipalsError) return problemForCode(error.code);
  // A domain error this service does not declare is a bug on our side, not the client's.
  return { status: 500, type: PROBLEM_TYPES.internal, title: 'Internal error' };
}
