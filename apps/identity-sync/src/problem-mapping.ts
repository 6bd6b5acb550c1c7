import { PROBLEM_TYPES } from '@attest/contracts';
import { assertUnreachable, DomainError, ProblemMapping } from '@attest/platform';
import { DirectoryError, DirectoryErrorCode } from './directory/directory.errors';
import { EventHookError, EventHookErrorCode } from './event-hooks/event-hooks.errors';
import { SyncError, SyncErrorCode } from './sync/sync.errors';

/** SCIM errors are answered by the SCIM filter in SCIM's own error format, so they are not listed here. */
export type IdentitySyncErrorCode = SyncErrorCode | DirectoryErrorCode | EventHookErrorCode;

/** Every domain error code of identity-sync and the problem it answers with; the compiler checks it is complete. */
export function problemForCode(code: IdentitySyncErrorCode): ProblemMapping {
  switch (code) {
    case 'SYNC.ALREADY_RUNNING':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'A full sync is already running' };
    case 'SYNC.OKTA_NOT_CONFIGURED':
      return { status: 409, type: PROBLEM_TYPES.conflict, title: 'Okta is not configured' };
    case 'SYNC.RUN_NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Sync run not found' };
    case 'DIRECTORY.PRINCIPAL_NOT_FOUND':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Principal not found' };
    case 'EVENT_HOOKS.DISABLED':
      return { status: 404, type: PROBLEM_TYPES.notFound, title: 'Okta Event Hooks are not enabled' };
    default:
      return assertUnreachable(code);
  }
}

/** The service's mapping from its domain errors to problem types, handed to the platform's filter. */
export function identitySyncProblem(error: DomainError): ProblemMapping {
  if (error instanceof SyncError || error instanceof DirectoryError || error instanceof EventHookError) {
    return problemForCode(error.code);
  }
  // A domain error this service does not declare is a bug on our side, not the client's.
  return { status: 500, type: PROBLEM_TYPES.internal, title: 'Internal error' };
}
