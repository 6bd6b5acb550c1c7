import { PROBLEM_TYPES } from '@attest/contracts';
import { assertUnreachable, DomainError, ProblemMapping } from '@attest/platform';
import { ApiError, ApiErrorCode } from './apis/apis.errors';
import { GrantError, GrantErrorCode } from './grants/grants.errors';
import { KeyError, KeyErrorCode } from './keys/keys.errors';
import { PrincipalError, PrincipalErrorCode } from './principals/principals.errors';

export type EnforcementErrorCode = ApiErrorCode | PrincipalErrorCode | GrantErrorCode | KeyErrorCode;

/** Every domain error code of enforcement and the problem it answers with; the compiler checks it is complete. */
export function problemForCode(code: EnforcementErrorCode): ProblemMapping {
  switch (code) {
    case 'APIS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'API not found' };
    case 'APIS.BASE_PATH_TAKEN':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'Base path already in use' };
    case 'APIS.RETIRED':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'API retired' };
    case 'PRINCIPALS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Principal not found' };
    case 'PRINCIPALS.NOT_ACTIVE':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'Principal not active' };
    case 'GRANTS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Grant not found' };
    case 'GRANTS.UNKNOWN_SCOPE':
      return { status: 400, type: PROBLEM_TYPES.validation, title: 'Unknown scope' };
    case 'GRANTS.ALREADY_GRANTED':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'Grant already exists' };
    case 'KEYS.NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'API key not found' };
    case 'KEYS.INVALID_NARROWING':
      return { status: 400, type: PROBLEM_TYPES.validation, title: 'Invalid key narrowing' };
    case 'KEYS.NOT_ROTATABLE':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'API key cannot be rotated' };
    default:
      return assertUnreachable(code);
  }
}

/** The service's mapping from its domain errors to problem types, handed to the platform's filter. */
export function enforcementProblem(error: DomainError): ProblemMapping {
  if (error instanceof ApiError || error instanceof PrincipalError || error instanceof GrantError || error instanceof KeyError) {
    return problemForCode(error.code);
  }
  // A domain error this service does not declare is a bug on our side, not the client's.
  return { status: 500, type: PROBLEM_TYPES.internal, title: 'Internal error' };
}
