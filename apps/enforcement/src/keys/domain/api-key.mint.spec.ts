import { API_KEY_PATTERN, hashKeySecret, parseApiKey } from '@attest/contracts';
import { mintApiKey } from './api-key.mint';

const pepper = 'unit-test-pepper-0123456789';

describe('mintApiKey', () => {
  it('mints a key the gateway parses back to the same prefix, whose secret hashes to the stored hash', () => {
    const minted = mintApiKey(pepper);
    expect(minted.key).toMatch(API_KEY_PATTERN);
    const parsed = parseApiKey(minted.key);
    expect(parsed).not.toBeNull();
    expect(parsed!.prefix).toBe(minted.prefix);
    expect(parsed!.secret).toHaveLength(43);
    expect(hashKeySecret(pepper, parsed!.secret)).toBe(minted.secretHash);
  });

  it('never exposes the secret in what is stored', () => {
    const minted = mintApiKey(pepper);
    const secret = parseApiKey(minted.key)!.secret;
    expect(minted.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(minted.secretHash).not.toContain(secret);
    expect(minted.prefix).not.toContain(secret);
  });

  it('hashes under the pepper, so another pepper gives another hash', () => {
    const minted = mintApiKey(pepper);
    const secret = parseApiKey(minted.key)!.secret;
    expect(hashKeySecret('another-pepper-0123456789', secret)).not.toBe(minted.secretHash);
  });

  it('mints distinct keys', () => {
    const keys = new Set(Array.from({ length: 200 }, () => mintApiKey(pepper).key));
    const prefixes = new Set([...keys].map((key) => parseApiKey(key)!.prefix));
    expect(keys.size).toBe(200);
    expect(prefixes.size).toBe(200);
  });

  it('drops biased random bytes instead of skewing the prefix alphabet', () => {
    // 255 is above the unbiased limit (248) and must be skipped; 0 maps to 'A', 61 to '9'.
    const bytes = [255, 0, 61, ...Array(50).fill(0)];
    let offset = 0;
    const random = (size: number) => {
      const chunk = Buffer.alloc(size);
      for (let i = 0; i < size; i++) chunk[i] = bytes[offset++] ?? 1;
      return chunk;
    };
    expect(mintApiKey(pepper, random).prefix).toBe('A9AAAAAAAAAA');
  });
});
