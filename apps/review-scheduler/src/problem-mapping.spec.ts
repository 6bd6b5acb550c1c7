import { PROBLEM_TYPES } from '@attest/contracts';
import { DomainError } from '@attest/platform';
import { reviewSchedulerProblem } from './problem-mapping';
import { DecisionsError } from './decisions/decisions.error';
import { PrincipalsError } from './principals/principals.errors';

class ForeignError extends DomainError<'ELSEWHERE.BROKEN'> {
  readonly code = 'ELSEWHERE.BROKEN';
}

describe('reviewSchedulerProblem', () => {
  it.each(['DECISIONS.GRANT_NOT_FOUND', 'DECISIONS.NOT_FOUND'] as const)('maps %s to a 404 not-found problem', (code) => {
    expect(reviewSchedulerProblem(new DecisionsError(code, 'missing'))).toMatchObject({
      status: 404,
      type: PROBLEM_TYPES.notFound,
    });
  });

  it('maps PRINCIPALS.NOT_FOUND to a 404 not-found problem', () => {
    expect(reviewSchedulerProblem(new PrincipalsError('PRINCIPALS.NOT_FOUND', 'missing'))).toMatchObject({
      status: 404,
      type: PROBLEM_TYPES.notFound,
    });
  });

  it('treats a domain error the service does not declare as an internal error', () => {
    expect(reviewSchedulerProblem(new ForeignError('boom'))).toMatchObject({ status: 500, type: PROBLEM_TYPES.internal });
  });
});
