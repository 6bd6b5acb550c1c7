import { timingSafeEqual } from 'node:crypto';
import { hashKeySecret } from '@attest/contracts';

/** The credential headers of a request, as received (either may be absent). */
export interface CredentialHeaders {
  authorization?: string;
  apiKey?: string;
}

/**
 * The presented API key: `Authorization: Bearer <key>` first, else `x-api-key`. An Authorization
 * header of another scheme does not hide an `x-api-key`.
 */
export function extractCredential(headers: CredentialHeaders): string | null {
  const authorization = headers.authorization;
  if (authorization !== undefined && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = authorization.slice(7).trim();
    if (token !== '') return token;
  }
  const apiKey = headers.apiKey?.trim();
  return apiKey ? apiKey : null;
}

/** Whether `secret` is the one whose keyed hash is `storedHash`, compared in constant time. */
export function secretMatches(options: { pepper: string; secret: string; storedHash: Buffer }): boolean {
  const presented = Buffer.from(hashKeySecret(options.pepper, options.secret), 'hex');
  return presented.length === options.storedHash.length && timingSafeEqual(presented, options.storedHash);
}
