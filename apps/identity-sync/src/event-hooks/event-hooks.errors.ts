import { DomainError } from '@attest/platform';

export type EventHookErrorCode = 'EVENT_HOOKS.DISABLED';

export class EventHookError extends DomainError<EventHookErrorCode> {
  constructor(
    readonly code: EventHookErrorCode,
    message: string,
  ) {
    super(message);
  }
}
