type Operator = 'eq' | 'ne' | 'sw' | 'co' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';
type Literal = string | number | boolean | null;

interface Comparison {
  path: string;
  op: Operator;
  value: Literal;
}

/** Thrown for an expression outside the subset the stand-in understands; the server answers it as Okta's 400. */
export class OktaFilterError extends Error {}

const COMPARISON = /\s*([\w.]+)\s+(?:(eq|ne|sw|co|gt|ge|lt|le)\s+("(?:[^"\\]|\\.)*"|true|false|null|-?\d+(?:\.\d+)?)|(pr)\b)/iy;
const CONNECTOR = /\s+(and|or)\s+/iy;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Compiles the part of Okta's `filter` / `search` grammar that a directory mirror uses — comparisons such as
 * `status eq "ACTIVE"` or `lastUpdated gt "2024-01-01T00:00:00.000Z"` joined by `and` / `or` (`and` binds
 * tighter; no parentheses) — into a predicate over a resource's JSON.
 */
export function compileOktaFilter(expression: string): (resource: object) => boolean {
  const anyOf: Comparison[][] = [[]];
  let position = 0;
  for (;;) {
    COMPARISON.lastIndex = position;
    const match = COMPARISON.exec(expression);
    if (!match) throw new OktaFilterError(`cannot parse filter at "${expression.slice(position)}"`);
    const op = (match[2] ?? match[4]).toLowerCase() as Operator;
    anyOf[anyOf.length - 1].push({ path: match[1], op, value: match[3] === undefined ? null : (JSON.parse(match[3]) as Literal) });
    position = COMPARISON.lastIndex;
    if (expression.slice(position).trim() === '') break;
    CONNECTOR.lastIndex = position;
    const connector = CONNECTOR.exec(expression);
    if (!connector) throw new OktaFilterError(`expected "and" or "or" at "${expression.slice(position)}"`);
    if (connector[1].toLowerCase() === 'or') anyOf.push([]);
    position = CONNECTOR.lastIndex;
  }
  return (resource) => anyOf.some((all) => all.every((comparison) => holds(resource, comparison)));
}

function holds(resource: object, { path, op, value }: Comparison): boolean {
  const actual = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | null | undefined)?.[key], resource);
  if (op === 'pr') return actual !== undefined && actual !== null;
  if (actual === undefined || actual === null) return op === 'ne' ? value !== null : op === 'eq' && value === null;
  const text = String(actual);
  switch (op) {
    case 'eq':
      return text === String(value);
    case 'ne':
      return text !== String(value);
    case 'sw':
      return text.toLowerCase().startsWith(String(value).toLowerCase());
    case 'co':
      return text.toLowerCase().includes(String(value).toLowerCase());
    default: {
      const order = compare(actual, value);
      return op === 'gt' ? order > 0 : op === 'ge' ? order >= 0 : op === 'lt' ? order < 0 : order <= 0;
    }
  }
}

function compare(actual: unknown, expected: Literal): number {
  if (typeof actual === 'string' && typeof expected === 'string' && ISO_TIME.test(actual) && ISO_TIME.test(expected)) {
    return Date.parse(actual) - Date.parse(expected);
  }
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  const [a, b] = [String(actual), String(expected)];
  return a < b ? -1 : a > b ? 1 : 0;
}
