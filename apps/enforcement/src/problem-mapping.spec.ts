import { PROBLEM_TYPES } from '@attest/contracts';
import { DomainError } from '@attest/platform';
import { ApiError } from './apis/apis.errors';
import { GrantError } from './grants/grants.errors';
import { KeyError } from './keys/keys.errors';
import { PrincipalError } from './principals/principals.errors';
import { enforcementProblem } from './problem-mapping';

class ForeignError extends DomainError<'ELSEWHERE.BROKEN'> {
  readonly code = 'ELSEWHERE.BROKEN';
}

describe('enforcementProblem', () => {
  it.each([
    [new ApiError('APIS.NOT_FOUND', 'x'), 404, PROBLEM_TYPES.notFound],
    [new ApiError('APIS.BASE_PATH_TAKEN', 'x'), 409, PROBLEM_TYPES.conflict],
    [new ApiError('APIS.RETIRED', 'x'), 409, PROBLEM_TYPES.conflict],
    [new PrincipalError('PRINCIPALS.NOT_FOUND', 'x'), 404, PROBLEM_TYPES.notFound],
    [new PrincipalError('PRINCIPALS.NOT_ACTIVE', 'x'), 409, PROBLEM_TYPES.conflict],
    [new GrantError('GRANTS.NOT_FOUND', 'x'), 404, PROBLEM_TYPES.notFound],
    [new GrantError('GRANTS.UNKNOWN_SCOPE', 'x'), 400, PROBLEM_TYPES.validation],
    [new GrantError('GRANTS.ALREADY_GRANTED', 'x'), 409, PROBLEM_TYPES.conflict],
    [new KeyError('KEYS.NOT_FOUND', 'x'), 404, PROBLEM_TYPES.notFound],
    [new KeyError('KEYS.INVALID_NARROWING', 'x'), 400, PROBLEM_TYPES.validation],
    [new KeyError('KEYS.NOT_ROTATABLE', 'x'), 409, PROBLEM_TYPES.conflict],
  ])('maps %s to %i', (error, status, type) => {
    expect(enforcementProblem(error)).toMatchObject({ status, type });
  });

  it('treats a domain error the service does not declare as an internal error', () => {
    expect(enforcementProblem(new ForeignError('boom'))).toMatchObject({ status: 500, type: PROBLEM_TYPES.internal });
  });
});
