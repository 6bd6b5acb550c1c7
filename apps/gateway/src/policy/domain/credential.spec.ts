import { hashKeySecret } from '@attest/contracts';
import { extractCredential, pepperKey, SecretVerifier, secretMatches } from './credential';

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

describe('SecretVerifier', () => {
  const pepperText = 'unit-test-pepper-0123456789';
  const stored = () => Buffer.from(hashKeySecret(pepperText, 'the-secret'), 'hex');

  /** A verifier whose full (HMAC) checks are counted. */
  function counted(): { verifier: SecretVerifier; hmacs: () => number } {
    const pepper = pepperKey(pepperText);
    let calls = 0;
    const verifier = new SecretVerifier(pepper, (secret, storedHash) => {
      calls++;
      return secretMatches({ pepper, secret, storedHash });
    });
    return { verifier, hmacs: () => calls };
  }

  it('verifies a key presented again by its fingerprint, without a second HMAC', () => {
    const { verifier, hmacs } = counted();
    const hash = stored();
    expect(verifier.matches('the-secret', hash)).toBe(true);
    expect(verifier.matches('the-secret', hash)).toBe(true);
    expect(verifier.matches('the-secret', hash)).toBe(true);
    expect(hmacs()).toBe(1);
  });

  it('still refuses any other secret once one matched, each time through the HMAC', () => {
    const { verifier, hmacs } = counted();
    const hash = stored();
    expect(verifier.matches('the-secret', hash)).toBe(true);
    expect(verifier.matches('the-secreT', hash)).toBe(false);
    expect(verifier.matches('', hash)).toBe(false);
    expect(hmacs()).toBe(3);
  });

  it('remembers per stored hash: a secret that matched one hash is checked in full against another', () => {
    const verifier = new SecretVerifier(pepperKey(pepperText));
    expect(verifier.matches('the-secret', stored())).toBe(true);
    // The key rotated: its new hash is another buffer, and the old secret does not match it.
    const rotated = Buffer.from(hashKeySecret(pepperText, 'the-new-secret'), 'hex');
    expect(verifier.matches('the-secret', rotated)).toBe(false);
    expect(verifier.matches('the-new-secret', rotated)).toBe(true);
    // Nothing matches the all-zero decoy compared against for unknown prefixes.
    expect(verifier.matches('the-secret', Buffer.alloc(32))).toBe(false);
  });
});
