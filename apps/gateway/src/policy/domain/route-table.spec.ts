import { ApiRoute } from '@attest/contracts';
import { compileRoutes, hasDotSegment, matchRoute, pathSegments } from './route-table';

const routes: ApiRoute[] = [
  { method: 'GET', path: '/orders/:id', scope: 'orders:read' },
  { method: 'GET', path: '/orders/latest', scope: 'orders:latest' },
  { method: 'POST', path: '/orders', scope: 'orders:write' },
  { method: 'GET', path: '/orders/:id/lines/:line', scope: 'lines:read' },
  { method: 'GET', path: '/', scope: 'root:read' },
];
const table = compileRoutes(routes);
const scopeOf = (method: string, path: string) => matchRoute(table, method, path)?.scope ?? null;

describe('route matching', () => {
  it('matches a :name parameter against exactly one non-empty segment', () => {
    expect(scopeOf('GET', '/orders/42')).toBe('orders:read');
    expect(scopeOf('GET', '/orders/42/lines/3')).toBe('lines:read');
    expect(scopeOf('GET', '/orders/42/extra')).toBeNull();
    expect(scopeOf('GET', '/orders//lines/3')).toBeNull();
    expect(scopeOf('GET', '/orders')).toBeNull();
  });

  it('prefers a literal segment over a parameter whatever the publishing order', () => {
    expect(scopeOf('GET', '/orders/latest')).toBe('orders:latest');
    const reversed = compileRoutes([...routes].reverse());
    expect(matchRoute(reversed, 'GET', '/orders/latest')?.scope).toBe('orders:latest');
  });

  it('matches on method as well as path', () => {
    expect(scopeOf('POST', '/orders')).toBe('orders:write');
    expect(scopeOf('DELETE', '/orders/42')).toBeNull();
    expect(scopeOf('BREW', '/orders/42')).toBeNull();
  });

  it('lets HEAD use the GET routes when it has none of its own', () => {
    expect(scopeOf('HEAD', '/orders/42')).toBe('orders:read');
  });

  it('ignores one trailing slash and matches the root template', () => {
    expect(scopeOf('GET', '/orders/42/')).toBe('orders:read');
    expect(scopeOf('GET', '/')).toBe('root:read');
    expect(pathSegments('/')).toEqual([]);
    expect(pathSegments('/a/b/')).toEqual(['a', 'b']);
  });

  it('recognises dot segments, literal or percent-encoded', () => {
    expect(hasDotSegment('/orders/../admin')).toBe(true);
    expect(hasDotSegment('/orders/./1')).toBe(true);
    expect(hasDotSegment('/orders/%2e%2E/admin')).toBe(true);
    expect(hasDotSegment('/orders/.%2e')).toBe(true);
    expect(hasDotSegment('/orders/v1.2/file.json')).toBe(false);
    expect(hasDotSegment('/orders/...')).toBe(false);
    expect(hasDotSegment('/orders/%20')).toBe(false);
  });
});
