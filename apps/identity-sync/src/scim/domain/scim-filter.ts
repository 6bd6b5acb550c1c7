import { ScimProtocolError } from './scim-protocol.error';

export type ScimFilterValue = string | boolean | null;

/** One `attribute eq value` test; the attribute path is lower-cased (SCIM attribute names are case-insensitive). */
export interface ScimComparison {
  attribute: string;
  value: ScimFilterValue;
}

const CORE_SCHEMA_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;
const COMPARISON = /\s*([A-Za-z][\w.:$-]*)\s+([A-Za-z]+)\s+("(?:[^"\\]|\\.)*"|true|false|null)\s*/iy;
const CONNECTOR = /\s*(and|or)\s+/iy;

/**
 * Parses the subset of SCIM filters provisioning clients send to look a resource up before creating it
 * (`userName eq "ada@example.com"`, `externalId eq "..."`, `displayName eq "..."`), joined by `and`.
 * Anything else is refused with `invalidFilter`, as RFC 7644 asks, rather than silently matching everything.
 */
export function parseScimFilter(expression: string): ScimComparison[] {
  const comparisons: ScimComparison[] = [];
  let position = 0;
  for (;;) {
    COMPARISON.lastIndex = position;
    const match = COMPARISON.exec(expression);
    if (!match) throw new ScimProtocolError('invalidFilter', `cannot parse filter at "${expression.slice(position)}"`);
    const operator = match[2].toLowerCase();
    if (operator !== 'eq') throw new ScimProtocolError('invalidFilter', `operator "${match[2]}" is not supported; use eq`);
    comparisons.push({ attribute: match[1].replace(CORE_SCHEMA_PREFIX, '').toLowerCase(), value: JSON.parse(match[3].replace(/^(true|false|null)$/i, (v) => v.toLowerCase())) as ScimFilterValue });
    position = COMPARISON.lastIndex;
    if (position >= expression.length) return comparisons;
    CONNECTOR.lastIndex = position;
    const connector = CONNECTOR.exec(expression);
    if (!connector) throw new ScimProtocolError('invalidFilter', `expected "and" at "${expression.slice(position)}"`);
    if (connector[1].toLowerCase() === 'or') throw new ScimProtocolError('invalidFilter', '"or" is not supported');
    position = CONNECTOR.lastIndex;
  }
}

/**
 * Maps a parsed filter onto named lookups (e.g. `username` → `userName`), refusing attributes the resource
 * cannot be filtered by. A value must be a string.
 */
export function filterLookups<K extends string>(comparisons: readonly ScimComparison[], attributes: Readonly<Record<string, K>>): Partial<Record<K, string>> {
  const lookups: Partial<Record<K, string>> = {};
  for (const { attribute, value } of comparisons) {
    const key = attributes[attribute];
    if (!key) throw new ScimProtocolError('invalidFilter', `filtering by "${attribute}" is not supported`);
    if (typeof value !== 'string') throw new ScimProtocolError('invalidFilter', `"${attribute}" is compared with a string`);
    lookups[key] = value;
  }
  return lookups;
}
