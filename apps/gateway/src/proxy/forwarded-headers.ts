/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those the gateway
 * consumes or replaces: credentials are never forwarded, the request id and client address are
 * re-set, `host` is the upstream's, and `expect` is answered here (undici refuses to send it).
 */
const NOT_FORWARDED_UPSTREAM = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
  'authorization',
  'x-api-key',
  'x-request-id',
  'x-forwarded-for',
]);

const NOT_RETURNED_DOWNSTREAM = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'x-request-id',
]);

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PLAIN_CONNECTION = /^(?:keep-alive|close)$/i;

/** What the gateway reads from a request's raw headers, and the headers it sends upstream. */
export interface InboundHeaders {
  authorization?: string;
  apiKey?: string;
  /** The caller's `x-request-id` when it is a plausible id; otherwise the gateway makes one. */
  requestId?: string;
  /** The caller's `x-forwarded-for`, to which the gateway appends the client address. */
  forwardedFor?: string;
  /** Whether the request carries a body (a non-zero length or a transfer coding). */
  hasBody: boolean;
  /** Flat `[name, value, ...]` list for undici, in the caller's order and spelling. */
  forward: string[];
}

/** One pass over `rawHeaders`: credentials and ids picked out, the rest filtered for forwarding. */
export function readInboundHeaders(raw: readonly string[]): InboundHeaders {
  const result: InboundHeaders = { hasBody: false, forward: [] };
  const connectionTokens: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const lower = name.toLowerCase();
    if (!NOT_FORWARDED_UPSTREAM.has(lower)) {
      if (lower === 'content-length' && value !== '0') result.hasBody = true;
      result.forward.push(name, value);
      continue;
    }
    switch (lower) {
      case 'authorization':
        result.authorization = value;
        break;
      case 'x-api-key':
        result.apiKey = value;
        break;
      case 'x-request-id':
        if (REQUEST_ID.test(value)) result.requestId = value;
        break;
      case 'x-forwarded-for':
        result.forwardedFor = result.forwardedFor === undefined ? value : `${result.forwardedFor}, ${value}`;
        break;
      case 'transfer-encoding':
        result.hasBody = true;
        break;
      case 'connection':
        connectionTokens.push(...listTokens(value));
        break;
    }
  }
  if (connectionTokens.length > 0) result.forward = withoutNamed(result.forward, connectionTokens);
  return result;
}

/** Whether a response header name of each length may be in NOT_RETURNED_DOWNSTREAM: one of another length is kept without lowercasing or a lookup. */
const CHECKED_RESPONSE_NAME_LENGTHS = lengthTable(NOT_RETURNED_DOWNSTREAM);

/**
 * The upstream's raw response headers (undici's `Buffer` pairs) as the `[name, value, ...]` strings
 * to return, minus hop-by-hop ones (and any it named in `Connection`), in one pass.
 */
export function responseHeadersToReturn(raw: readonly Buffer[]): string[] {
  const kept: string[] = [];
  let connectionTokens: string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1');
    if (CHECKED_RESPONSE_NAME_LENGTHS[name.length] === 1) {
      const lower = name.toLowerCase();
      if (NOT_RETURNED_DOWNSTREAM.has(lower)) {
        if (lower === 'connection') {
          const named = listTokens(raw[i + 1].toString('latin1'));
          if (named.length > 0) (connectionTokens ??= []).push(...named);
        }
        continue;
      }
    }
    kept.push(name, raw[i + 1].toString('latin1'));
  }
  return connectionTokens === null ? kept : withoutNamed(kept, connectionTokens);
}

function lengthTable(names: ReadonlySet<string>): Uint8Array {
  const table = new Uint8Array(Math.max(...[...names].map((name) => name.length)) + 1);
  for (const name of names) table[name.length] = 1;
  return table;
}

function listTokens(value: string): string[] {
  // The common case names no header at all.
  if (value.length <= 10 && PLAIN_CONNECTION.test(value)) return [];
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '' && token !== 'close' && token !== 'keep-alive');
}

function withoutNamed(headers: string[], names: readonly string[]): string[] {
  const drop = new Set(names);
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!drop.has(headers[i].toLowerCase())) kept.push(headers[i], headers[i + 1]);
  }
  return kept;
}
