import { createKeySchema } from './create-key.dto';
import { rotateKeySchema } from './rotate-key.dto';

const principalId = '6f1c1f8e-6a53-4b7e-9a57-1f1d8e7c2a01';
const apiId = '0b6a4d0e-8f52-4c57-a3a1-1c2d3e4f5a6b';

function failingFields(schema: typeof createKeySchema | typeof rotateKeySchema, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('createKeySchema', () => {
  it('accepts a bare key and a fully narrowed one', () => {
    expect(failingFields(createKeySchema, { principalId, name: 'ci' })).toEqual([]);
    expect(
      failingFields(createKeySchema, {
        principalId,
        name: 'ci',
        owner: 'team@example.com',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        apiIds: [apiId],
        scopes: ['charges:read'],
        rateLimit: { requestsPerSecond: 0.5, burst: 1 },
        quota: { perMonth: 10 },
      }),
    ).toEqual([]);
  });

  it('refuses an expiry in the past, or without an offset, once each', () => {
    expect(failingFields(createKeySchema, { principalId, name: 'ci', expiresAt: '2001-01-01T00:00:00Z' })).toEqual(['expiresAt']);
    expect(failingFields(createKeySchema, { principalId, name: 'ci', expiresAt: 'tomorrow' })).toEqual(['expiresAt']);
    expect(failingFields(createKeySchema, { principalId, name: 'ci', expiresAt: '2999-01-01T00:00:00' })).toEqual(['expiresAt']);
  });

  it('refuses empty narrowing, which would make a key that works nowhere', () => {
    expect(failingFields(createKeySchema, { principalId, name: 'ci', apiIds: [], scopes: [] })).toEqual(['apiIds', 'scopes']);
  });

  it('drops duplicate APIs and scopes', () => {
    const parsed = createKeySchema.parse({ principalId, name: 'ci', apiIds: [apiId, apiId], scopes: ['a', 'a', 'b'] });
    expect(parsed).toMatchObject({ apiIds: [apiId], scopes: ['a', 'b'] });
  });

  it('refuses a quota with no cap, or a day cap above the month cap, and a bad owner', () => {
    expect(failingFields(createKeySchema, { principalId, name: 'ci', quota: {} })).toEqual(['quota.perDay']);
    expect(failingFields(createKeySchema, { principalId, name: 'ci', quota: { perDay: 11, perMonth: 10 } })).toEqual(['quota.perDay']);
    expect(failingFields(createKeySchema, { principalId, name: 'ci', owner: 'not-an-email' })).toEqual(['owner']);
  });
});

describe('rotateKeySchema', () => {
  it('takes a grace of zero up to thirty days, in whole seconds', () => {
    expect(failingFields(rotateKeySchema, { graceSeconds: 0 })).toEqual([]);
    expect(failingFields(rotateKeySchema, { graceSeconds: 30 * 86_400 })).toEqual([]);
    expect(failingFields(rotateKeySchema, { graceSeconds: 30 * 86_400 + 1 })).toEqual(['graceSeconds']);
    expect(failingFields(rotateKeySchema, { graceSeconds: 1.5 })).toEqual(['graceSeconds']);
    expect(failingFields(rotateKeySchema, {})).toEqual(['graceSeconds']);
  });
});
