export interface BasePathMatch<T> {
  entry: T;
  /** What follows the base path: `''` or starting with `/`. */
  rest: string;
}

/**
 * The entry whose base path is the longest prefix of `path` ending on a segment boundary: `/orders`
 * matches `/orders` and `/orders/1`, never `/orders-v2`. Costs one map lookup per path segment.
 */
export function matchBasePath<T>(index: ReadonlyMap<string, T>, path: string): BasePathMatch<T> | null {
  let candidate = path;
  while (candidate.length > 1) {
    const entry = index.get(candidate);
    if (entry !== undefined) return { entry, rest: path.slice(candidate.length) };
    const cut = candidate.lastIndexOf('/');
    if (cut <= 0) return null;
    candidate = candidate.slice(0, cut);
  }
  return null;
}
