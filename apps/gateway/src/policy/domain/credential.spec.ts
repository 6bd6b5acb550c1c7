import { hashKeySecret } from '@attest/contracts';
import { extractCredential, pepperKey, secretMatches } from './credential';

describe('credential extraction', () => {
  it('reads a Bearer token, whatever the scheme case', () => {
    expect(extractCredential({ authorization: 'Bearer atk_x' })).toBe('atk_x');
    expect(extractCredential({ authorization: 'bearer   atk_x ' })).toBe('atk_x');
  });

  it('reads x-api-key when there is no Bearer token', () => {
    expect(extractCredential({ apiKey: 'atk_y' })).toBe('atk_y');
    expect(extractCredential({ authorization: 'Basic dXNlcjpwYXNz', apiKey: 'atk_y' })).toBe('atk_y');
  });

  it('prefers the Bearer token over x-api-key', () => {
    expect(extractCredential({ authorization: 'Bearer atk_x', apiKey: 'atk_y' })).toBe('atk_x');
  });

  it('finds nothing in absent, empty or non-Bearer headers', () => {
    expect(extractCredential({})).toBeNull();
    expect(extractCredential({ authorization: 'Bearer ' })).toBeNull();
    expect(extractCredential({ authorization: 'Basic abc' })).toBeNull();
    expect(extractCredential({ apiKey: '  ' })).toBeNull();
  });
});

describe('secret check', () => {
  const pepperText = 'unit-test-pepper-0123456789';
  const pepper = pepperKey(pepperText);
  const stored = Buffer.from(hashKeySecret(pepperText, 'the-secret'), 'hex');

  it('accepts the secret whose keyed hash is stored', () => {
    expect(secretMatches({ pepper, secret: 'the-secret', storedHash: stored })).toBe(true);
  });

  it('rejects another secret, another pepper, or a malformed stored hash', () => {
    expect(secretMatches({ pepper, secret: 'the-secreT', storedHash: stored })).toBe(false);
    expect(secretMatches({ pepper: pepperKey(`${pepperText}!`), secret: 'the-secret', storedHash: stored })).toBe(false);
    expect(secretMatches({ pepper, secret: 'the-secret', storedHash: stored.subarray(0, 16) })).toBe(false);
  });
});
