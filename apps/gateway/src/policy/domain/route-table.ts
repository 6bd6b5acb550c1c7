import { ApiRoute, HTTP_METHODS, HttpMethod } from '@attest/contracts';

/** One route of an API, compiled for matching: `null` segments are `:name` parameters. */
export interface CompiledRoute {
  method: HttpMethod;
  /** The template as published, e.g. `/orders/:id`. */
  path: string;
  scope: string;
  segments: ReadonlyArray<string | null>;
  /** `GET /orders/:id`: how access logs name the route, built once. */
  label: string;
}

/** Routes by method, most specific first, so the first template that matches wins. */
export type RouteTable = ReadonlyMap<string, readonly CompiledRoute[]>;

const KNOWN_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);

/** Splits a path into its segments, ignoring one trailing slash: `/a/b/` → `['a', 'b']`, `/` → `[]`. */
export function pathSegments(path: string): string[] {
  const end = path.length > 1 && path.endsWith('/') ? path.length - 1 : path.length;
  const trimmed = path.slice(1, end);
  return trimmed === '' ? [] : trimmed.split('/');
}

export function compileRoutes(routes: readonly ApiRoute[]): RouteTable {
  const table = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    const compiled: CompiledRoute = {
      method: route.method,
      path: route.path,
      scope: route.scope,
      segments: pathSegments(route.path).map((segment) => (segment.startsWith(':') ? null : segment)),
      label: `${route.method} ${route.path}`,
    };
    const list = table.get(route.method) ?? [];
    list.push(compiled);
    table.set(route.method, list);
  }
  for (const list of table.values()) list.sort(bySpecificity);
  return table;
}

/**
 * Finds the route a request addresses. A literal segment beats a parameter at the first position
 * where two templates differ (`/orders/latest` before `/orders/:id`); a parameter matches exactly
 * one non-empty segment. HEAD falls back to the GET routes, as HTTP defines HEAD as GET without a body.
 */
export function matchRoute(table: RouteTable, method: string, path: string): CompiledRoute | null {
  if (!KNOWN_METHODS.has(method)) return null;
  const segments = pathSegments(path);
  const found = firstMatch(table.get(method), segments);
  if (found !== null || method !== 'HEAD') return found;
  return firstMatch(table.get('GET'), segments);
}

function firstMatch(routes: readonly CompiledRoute[] | undefined, segments: readonly string[]): CompiledRoute | null {
  if (routes === undefined) return null;
  for (const route of routes) {
    if (matchesSegments(route.segments, segments)) return route;
  }
  return null;
}

function matchesSegments(template: ReadonlyArray<string | null>, segments: readonly string[]): boolean {
  if (template.length !== segments.length) return false;
  for (let i = 0; i < template.length; i++) {
    const expected = template[i];
    if (expected === null ? segments[i] === '' : expected !== segments[i]) return false;
  }
  return true;
}

function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const aParam = a.segments[i] === null;
    const bParam = b.segments[i] === null;
    if (aParam !== bParam) return aParam ? 1 : -1;
  }
  return 0;
}

/**
 * True when the path holds a `.` or `..` segment, literally or percent-encoded. Such a path is never
 * matched: an upstream that normalises it could otherwise serve a route the grant does not cover.
 */
export function hasDotSegment(path: string): boolean {
  if (path.indexOf('.') === -1 && path.indexOf('%') === -1) return false;
  for (const segment of path.split('/')) {
    if (segment.length > 0 && segment.length <= 6 && DOT_SEGMENT.test(segment)) return true;
  }
  return false;
}

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
