import type { ServerResponse } from 'node:http';
import { Problem, PROBLEM_TYPES } from '@attest/contracts';

/** Every answer the gateway gives on its own behalf instead of the upstream's. */
export type Denial = 'unauthenticated' | 'forbidden' | 'not_found' | 'retired' | 'unavailable' | 'bad_gateway' | 'gateway_timeout' | 'internal';

const PROBLEMS: Record<Denial, Problem> = {
  unauthenticated: {
    type: PROBLEM_TYPES.unauthenticated,
    title: 'Unauthenticated',
    status: 401,
    detail: 'A valid API key is required, as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  },
  forbidden: {
    type: PROBLEM_TYPES.forbidden,
    title: 'Forbidden',
    status: 403,
    detail: 'The key is valid but no active grant covers this route.',
  },
  not_found: { type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail: 'No API route matches this method and path.' },
  retired: { type: PROBLEM_TYPES.retired, title: 'API retired', status: 410, detail: 'This API has been retired.' },
  unavailable: {
    type: PROBLEM_TYPES.policyUnavailable,
    title: 'Policy unavailable',
    status: 503,
    detail: 'The gateway has not loaded its policy yet; retry shortly.',
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
  unavailable: ['retry-after', '1'],
};

// The bodies never vary per request (the request id travels in its header), so they are serialised once.
const BODIES = Object.fromEntries(
  Object.entries(PROBLEMS).map(([denial, problem]) => [denial, Buffer.from(JSON.stringify(problem))]),
) as Record<Denial, Buffer>;

export function problemStatus(denial: Denial): number {
  return PROBLEMS[denial].status;
}

/** Answers with the RFC 9457 body for `denial`. It never echoes anything the caller sent but the request id. */
export function sendProblem(res: ServerResponse, denial: Denial, requestId: string): void {
  const body = BODIES[denial];
  const headers = [
    'content-type',
    'application/problem+json',
    'content-length',
    String(body.length),
    'cache-control',
    'no-store',
    'x-request-id',
    requestId,
    ...(EXTRA_HEADERS[denial] ?? []),
  ];
  res.writeHead(PROBLEMS[denial].status, headers);
  res.end(body);
}
