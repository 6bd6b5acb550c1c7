import type { ServerResponse } from 'node:http';
import { Problem, PROBLEM_TYPES } from '@attest/contracts';

/** Every answer the gateway gives on its own behalf instead of the upstream's. */
export type Denial =
  | 'unauthenticated'
  | 'key_expired'
  | 'key_revoked'
  | 'forbidden'
  | 'not_found'
  | 'retired'
  | 'rate_limited'
  | 'unavailable'
  | 'policy_stale'
  | 'bad_gateway'
  | 'gateway_timeout'
  | 'internal';

const PROBLEMS: Record<Denial, Problem> = {
  unauthenticated: {
    type: PROBLEM_TYPES.unauthenticated,
    title: 'Unauthenticated',
    status: 401,
    detail: 'A valid API key is required, as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  },
  key_expired: {
    type: PROBLEM_TYPES.keyExpired,
    title: 'API key expired',
    status: 401,
    detail: 'The API key has expired (a rotated key stops working when its grace period ends). Use its replacement.',
  },
  key_revoked: {
    type: PROBLEM_TYPES.keyRevoked,
    title: 'API key revoked',
    status: 401,
    detail: 'The API key has been revoked or suspended, or its owner is no longer active.',
  },
  forbidden: {
    type: PROBLEM_TYPES.forbidden,
    title: 'Forbidden',
    status: 403,
    detail: 'The key is valid but no active grant covers this route.',
  },
  not_found: { type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail: 'No API route matches this method and path.' },
  retired: { type: PROBLEM_TYPES.retired, title: 'API retired', status: 410, detail: 'This API has been retired.' },
  rate_limited: {
    type: PROBLEM_TYPES.rateLimited,
    title: 'Too many requests',
    status: 429,
    detail: 'A rate limit or quota of this key was reached; see Retry-After and the RateLimit fields.',
  },
  unavailable: {
    type: PROBLEM_TYPES.policyUnavailable,
    title: 'Policy unavailable',
    status: 503,
    detail: 'The gateway has not loaded its policy yet; retry shortly.',
  },
  policy_stale: {
    type: PROBLEM_TYPES.policyUnavailable,
    title: 'Policy unavailable',
    status: 503,
    detail: 'The gateway has lost touch with its policy source for longer than it may enforce from memory; retry shortly.',
  },
  bad_gateway: { type: PROBLEM_TYPES.badGateway, title: 'Bad gateway', status: 502, detail: 'The upstream could not be reached.' },
  gateway_timeout: {
    type: PROBLEM_TYPES.gatewayTimeout,
    title: 'Gateway timeout',
    status: 504,
    detail: 'The upstream did not answer in time.',
  },
  internal: { type: PROBLEM_TYPES.internal, title: 'Internal error', status: 500 },
};

/** Extra headers some answers need: how to authenticate, and when to retry. */
const EXTRA_HEADERS: Partial<Record<Denial, string[]>> = {
  unauthenticated: ['www-authenticate', 'Bearer realm="attest"'],
  key_expired: ['www-authenticate', 'Bearer realm="attest", error="invalid_token"'],
  key_revoked: ['www-authenticate', 'Bearer realm="attest", error="invalid_token"'],
  unavailable: ['retry-after', '1'],
  policy_stale: ['retry-after', '5'],
};

// The bodies never vary per request (the request id travels in its header), so they are serialised once.
const BODIES = Object.fromEntries(
  Object.entries(PROBLEMS).map(([denial, problem]) => [denial, Buffer.from(JSON.stringify(problem))]),
) as Record<Denial, Buffer>;

export function problemStatus(denial: Denial): number {
  return PROBLEMS[denial].status;
}

export interface ProblemAnswer {
  denial: Denial;
  requestId: string;
  /** Flat `[name, value, ...]` fields added to the answer (Retry-After and RateLimit fields of a 429). */
  headers?: readonly string[];
}

/** Answers with the RFC 9457 body for `denial`. It never echoes anything the caller sent but the request id. */
export function sendProblem(res: ServerResponse, answer: ProblemAnswer): void {
  const { denial } = answer;
  const body = BODIES[denial];
  const headers = [
    'content-type',
    'application/problem+json',
    'content-length',
    String(body.length),
    'cache-control',
    'no-store',
    'x-request-id',
    answer.requestId,
  ];
  const extra = EXTRA_HEADERS[denial];
  if (extra !== undefined) headers.push(...extra);
  if (answer.headers !== undefined) headers.push(...answer.headers);
  res.writeHead(PROBLEMS[denial].status, headers);
  res.end(body);
}
