/**
 * Stable `type` URIs of the RFC 9457 problem bodies Attest answers with. Clients branch on these,
 * so a published value never changes.
 */
export const PROBLEM_TYPES = {
  unauthenticated: 'https://attest.dev/problems/unauthenticated',
  /** The presented key was genuine but has expired (e.g. a rotated key past its grace period). */
  keyExpired: 'https://attest.dev/problems/key-expired',
  /** The presented key was genuine but has been revoked or suspended. */
  keyRevoked: 'https://attest.dev/problems/key-revoked',
  forbidden: 'https://attest.dev/problems/forbidden',
  notFound: 'https://attest.dev/problems/not-found',
  retired: 'https://attest.dev/problems/api-retired',
  rateLimited: 'https://attest.dev/problems/rate-limited',
  policyUnavailable: 'https://attest.dev/problems/policy-unavailable',
  badGateway: 'https://attest.dev/problems/bad-gateway',
  gatewayTimeout: 'https://attest.dev/problems/gateway-timeout',
  validation: 'https://attest.dev/problems/validation',
  conflict: 'https://attest.dev/problems/conflict',
  internal: 'https://attest.dev/problems/internal',
} as const;

export type ProblemType = (typeof PROBLEM_TYPES)[keyof typeof PROBLEM_TYPES];

/** An RFC 9457 problem details body. */
export interface Problem {
  type: ProblemType;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}
