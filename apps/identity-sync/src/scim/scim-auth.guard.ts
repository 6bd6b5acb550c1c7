import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ScimError } from './scim.errors';

export const SCIM_BEARER_TOKEN = Symbol('SCIM_BEARER_TOKEN');

/** SCIM clients (Entra ID, OneLogin, JumpCloud) authenticate with a long-lived bearer token, compared in constant time. */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(SCIM_BEARER_TOKEN) token: string) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match || !timingSafeEqual(digest(match[1].trim()), this.expected)) {
      throw new ScimError('SCIM.UNAUTHENTICATED', 'a valid SCIM bearer token is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
