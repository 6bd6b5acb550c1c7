import { PROBLEM_TYPES } from '@attest/contracts';
import { DomainError } from '@attest/platform';
import { usageIngestProblem } from './problem-mapping';
import { UsageError } from './usage/usage.error';

class ForeignError extends DomainError<'ELSEWHERE.BROKEN'> {
  readonly code = 'ELSEWHERE.BROKEN';
}

describe('usageIngestProblem', () => {
  it('maps USAGE.GRANT_NOT_FOUND to a 404 not-found problem', () => {
    expect(usageIngestProblem(new UsageError('USAGE.GRANT_NOT_FOUND', 'missing'))).toMatchObject({
      status: 404,
      type: PROBLEM_TYPES.notFound,
    });
  });

  it('treats a domain error the service does not declare as an internal error', () => {
    expect(usageIngestProblem(new ForeignError('boom'))).toMatchObject({ status: 500, type: PROBLEM_TYPES.internal });
  });
});
