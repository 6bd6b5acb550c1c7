import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { RequestError } from '@attest/platform';
import { EventHookError } from './event-hooks.errors';

export interface EventHookSettings {
  /** Lower-case name of the header Okta sends the shared secret in. */
  header: string;
  /** Null turns the endpoint off. */
  secret: string | null;
  workerIntervalMs: number;
}

export const EVENT_HOOK_SETTINGS = Symbol('EVENT_HOOK_SETTINGS');

/**
 * Okta does not sign Event Hook calls: the configured header carrying the shared secret is the only proof
 * of origin. It is compared in constant time (as fixed-length digests), and never echoed or logged.
 */
@Injectable()
export class EventHookGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(EVENT_HOOK_SETTINGS) private readonly settings: EventHookSettings) {
    this.expected = settings.secret === null ? null : digest(settings.secret);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === null) throw new EventHookError('EVENT_HOOKS.DISABLED', 'Okta Event Hooks are not configured');
    const presented = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers[this.settings.header];
    if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), this.expected)) {
      throw new RequestError('REQUEST.UNAUTHENTICATED', 'missing or wrong Event Hook credential');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
