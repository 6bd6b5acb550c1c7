import Ajv, { ValidateFunction } from 'ajv';
import { z } from 'zod';

/**
 * A zod schema compiled to a plain validating function by Ajv, through the JSON Schema zod emits for
 * it: the schema stays declared once (in zod, in libs/contracts), and a valid message costs a tenth of
 * zod's time, which matters on topics carrying tens of thousands of events a second.
 *
 * Ajv only says yes or no, and the caller then uses the JSON as parsed: zod's answer must therefore be
 * the same object. That holds only where zod neither adds nor changes anything (its input and output
 * JSON Schemas are the same), so a schema with a default, a transform or pipe, an object inside a union
 * (where Ajv's stripping of unknown keys could differ from zod's) or a format zod emits no pattern for
 * gets no compiled validator, and its callers keep using zod. Unknown keys are stripped in place, as
 * zod strips them.
 */
export function compileValidator(schema: z.ZodType): ValidateFunction | null {
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
    // What zod accepts and what it returns are described alike only where parsing changes nothing.
    // (Output objects are described closed, as zod strips unknown keys: so does Ajv here.)
    const output = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' });
    if (JSON.stringify(output, openObjects) !== JSON.stringify(jsonSchema)) return null;
  } catch {
    return null;
  }
  if (!compilable(jsonSchema, false)) return null;
  delete jsonSchema.$schema;
  return ajv().compile(jsonSchema);
}

function openObjects(key: string, value: unknown): unknown {
  return key === 'additionalProperties' && value === false ? undefined : value;
}

let shared: Ajv | null = null;

function ajv(): Ajv {
  // JavaScript's regular expressions as zod runs them (no `u` flag); string lengths in UTF-16 units, as
  // zod counts them; `format` is left to the patterns zod emits beside it.
  // (`unicode: false` is deprecated but still honoured; the logger is off only to keep its notice out of service logs.)
  shared ??= new Ajv({ strict: false, validateFormats: false, unicodeRegExp: false, unicode: false, removeAdditional: 'all', allErrors: false, logger: false });
  return shared;
}

/**
 * No defaults anywhere, no object schema inside a union (see `compileValidator`), and no `format`
 * without the `pattern` that checks it (Ajv is told to ignore formats).
 */
function compilable(node: unknown, inUnion: boolean): boolean {
  if (Array.isArray(node)) return node.every((item) => compilable(item, inUnion));
  if (node === null || typeof node !== 'object') return true;
  const record = node as Record<string, unknown>;
  if ('default' in record) return false;
  if ('format' in record && !('pattern' in record)) return false;
  if (inUnion && (record.type === 'object' || 'properties' in record)) return false;
  for (const [keyword, value] of Object.entries(record)) {
    const union = keyword === 'anyOf' || keyword === 'oneOf';
    if (!compilable(value, inUnion || union)) return false;
  }
  return true;
}
