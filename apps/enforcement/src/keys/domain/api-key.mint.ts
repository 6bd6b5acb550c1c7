import { randomBytes } from 'node:crypto';
import { formatApiKey, hashKeySecret } from '@attest/contracts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const KEY_PREFIX_LENGTH = 12;
const SECRET_BYTES = 32;
/** Largest multiple of 62 below 256: bytes at or above it are dropped so every character is equally likely. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % ALPHANUMERIC.length);

export interface MintedApiKey {
  prefix: string;
  /** The full key, shown to its owner once and never stored. */
  key: string;
  /** What is stored and published: HMAC-SHA-256 of the secret under the pepper. */
  secretHash: string;
}

export type RandomSource = (size: number) => Buffer;

/** Mints a fresh `atk_<prefix>_<secret>` key: 12 alphanumerics, then 32 random bytes in base64url. */
export function mintApiKey(pepper: string, random: RandomSource = randomBytes): MintedApiKey {
  const prefix = randomAlphanumerics(KEY_PREFIX_LENGTH, random);
  const secret = random(SECRET_BYTES).toString('base64url');
  return { prefix, key: formatApiKey({ prefix, secret }), secretHash: hashKeySecret(pepper, secret) };
}

function randomAlphanumerics(length: number, random: RandomSource): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < UNBIASED_BYTE_LIMIT && out.length < length) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
    }
  }
  return out;
}
