import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { RequestError } from './errors';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/** Admin endpoints require `Authorization: Bearer <ATTEST_ADMIN_TOKEN>`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_TOKEN) token: string) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers
      .authorization;
    const match = /^Bearer (.+)$/i.exec(header ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new RequestError('REQUEST.UNAUTHENTICATED', 'a valid admin bearer token is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
