import { createHmac } from 'node:crypto';

/**
 * API key format shared by enforcement (which mints keys) and the gateway (which parses them):
 * `atk_<prefix>_<secret>`. The prefix finds the record; only a keyed hash of the secret is stored.
 */
export const API_KEY_PATTERN = /^atk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  prefix: string;
  secret: string;
}

export function parseApiKey(raw: string): ParsedApiKey | null {
  const match = API_KEY_PATTERN.exec(raw);
  return match ? { prefix: match[1], secret: match[2] } : null;
}

export function formatApiKey(key: ParsedApiKey): string {
  return `atk_${key.prefix}_${key.secret}`;
}

/**
 * The stored form of a key's secret: HMAC-SHA-256 under the server-side pepper, hex. Enforcement
 * stores it; the gateway recomputes it for every presented key and compares in constant time.
 */
export function hashKeySecret(pepper: string, secret: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}
