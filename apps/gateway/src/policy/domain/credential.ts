import { createHmac, createSecretKey, hash, KeyObject, timingSafeEqual } from 'node:crypto';

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

/** The pepper as a key object, made once: an HMAC keyed by a string converts the string on every call. */
export function pepperKey(pepper: string): KeyObject {
  return createSecretKey(Buffer.from(pepper, 'utf8'));
}

/** The contracts' `hashKeySecret` as raw bytes: the same HMAC-SHA-256, without a hex round trip per request. */
export function keyedHash(pepper: KeyObject, secret: string): Buffer {
  return createHmac('sha256', pepper).update(secret).digest();
}

/** Whether `secret` is the one whose keyed hash is `storedHash`, compared in constant time. */
export function secretMatches(options: { pepper: KeyObject; secret: string; storedHash: Buffer }): boolean {
  const presented = keyedHash(options.pepper, options.secret);
  return presented.length === options.storedHash.length && timingSafeEqual(presented, options.storedHash);
}

/** Stands in when no secret has matched a hash yet: no SHA-256 output is 32 zero bytes in practice. */
const NO_FINGERPRINT = '\0'.repeat(32);

/**
 * A secret's fingerprint: its SHA-256 as a 32-character binary (latin1) string, one character per byte. Node
 * returns a string in well under half the time it takes to return a Buffer.
 */
function fingerprint(secret: string): string {
  return hash('sha256', secret, 'binary');
}

/** Whether two fingerprints are equal, comparing every character whatever the first difference. */
function sameFingerprint(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Remembers, per stored hash, a fingerprint (plain SHA-256) of the secret that last matched it, so a
 * key presented again costs one SHA-256 instead of an HMAC: a third of the time on the request thread.
 * The secret itself is never kept. A wrong secret, a known prefix and an unknown one all take the same
 * path (fingerprint, comparison, HMAC), so timing still tells nothing about which prefixes exist.
 * Entries go with the hashes they belong to: a rotated or dropped key's hash is no longer referenced.
 */
export class SecretVerifier {
  private readonly verified = new WeakMap<Buffer, string>();

  constructor(
    pepper: KeyObject,
    /** The full check; replaceable so a test can count how often it runs. */
    private readonly check: (secret: string, storedHash: Buffer) => boolean = (secret, storedHash) => secretMatches({ pepper, secret, storedHash }),
  ) {}

  matches(secret: string, storedHash: Buffer): boolean {
    const presented = fingerprint(secret);
    if (sameFingerprint(presented, this.verified.get(storedHash) ?? NO_FINGERPRINT)) return true;
    if (!this.check(secret, storedHash)) return false;
    this.verified.set(storedHash, presented);
    return true;
  }
}
