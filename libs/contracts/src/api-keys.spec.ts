import { formatApiKey, hashKeySecret, parseApiKey } from './api-keys';

describe('API key format', () => {
  const secret = 'a'.repeat(20) + '-_' + 'Z9'.repeat(10) + 'q';

  it('round-trips prefix and secret', () => {
    const raw = formatApiKey({ prefix: 'AbC123xyz789', secret });
    expect(raw).toBe(`atk_AbC123xyz789_${secret}`);
    expect(parseApiKey(raw)).toEqual({ prefix: 'AbC123xyz789', secret });
  });

  it.each([
    ['wrong scheme', `xtk_AbC123xyz789_${secret}`],
    ['short prefix', `atk_AbC123_${secret}`],
    ['short secret', 'atk_AbC123xyz789_abc'],
    ['trailing junk', `atk_AbC123xyz789_${secret} `],
  ])('rejects a key with a %s', (_case, raw) => {
    expect(parseApiKey(raw)).toBeNull();
  });

  it('hashes with the pepper as HMAC key, so another pepper gives another hash', () => {
    const hash = hashKeySecret('pepper-one', secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKeySecret('pepper-one', secret)).toBe(hash);
    expect(hashKeySecret('pepper-two', secret)).not.toBe(hash);
  });
});
