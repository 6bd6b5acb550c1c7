import { createApiSchema } from './create-api.dto';

const valid = {
  name: 'Payments',
  basePath: '/payments',
  upstreamUrl: 'http://127.0.0.1:9000',
  ownerEmail: 'owner@example.com',
  routes: [{ method: 'GET', path: '/charges', scope: 'charges:read' }],
};

function failingFields(input: unknown): string[] {
  const parsed = createApiSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('createApiSchema', () => {
  it('accepts a well-formed API', () => {
    expect(failingFields(valid)).toEqual([]);
    expect(failingFields({ ...valid, basePath: '/payments/v2' })).toEqual([]);
  });

  it.each(['/health', '/metrics', '/Health/x', '/metrics/v1'])('rejects the gateway-reserved base path %s', (basePath) => {
    expect(failingFields({ ...valid, basePath })).toEqual(['basePath']);
  });

  it.each(['payments', '/payments/', '/', '/pay ments', ''])('rejects the malformed base path %j', (basePath) => {
    expect(failingFields({ ...valid, basePath })).toContain('basePath');
  });

  it('rejects a non-http upstream', () => {
    expect(failingFields({ ...valid, upstreamUrl: 'ftp://example.com' })).toEqual(['upstreamUrl']);
  });

  it('rejects an API without routes and duplicate routes', () => {
    expect(failingFields({ ...valid, routes: [] })).toEqual(['routes']);
    expect(failingFields({ ...valid, routes: [...valid.routes, { ...valid.routes[0], scope: 'other' }] })).toEqual(['routes.1']);
  });

  it('names the bad route field', () => {
    expect(failingFields({ ...valid, routes: [{ method: 'FETCH', path: '/x', scope: 's' }] })).toEqual(['routes.0.method']);
  });
});
