import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessOutcome } from '@attest/contracts';
import { GatewayConfig } from '../config';
import { AccessLogService } from '../access-log/access-log.service';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { AccessDecision, AccessEvaluator, CredentialFailure } from '../policy/domain/access-decision';
import { extractCredential } from '../policy/domain/credential';
import { PolicyViewService } from '../policy/policy-view.service';
import { readInboundHeaders } from '../proxy/forwarded-headers';
import { UpstreamProxy } from '../proxy/upstream.proxy';
import { RateLimitFields } from '../rate-limit/domain/rate-limiter';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { Denial, problemStatus, sendProblem } from './problem-response';
import { SYSTEM_PATHS, SystemEndpoints } from './system.endpoints';

/** What the access log needs to know about a request, gathered as it is decided. */
interface RequestFacts {
  requestId: string;
  method: string;
  path: string;
  startedAtMs: number;
  startedAt: number;
  decision: AccessDecision | null;
}

const CREDENTIAL_DENIALS: Record<CredentialFailure, Denial> = { unknown: 'unauthenticated', expired: 'key_expired', revoked: 'key_revoked' };

/** How each of the gateway's own answers is counted in the access log and the metrics. */
const DENIAL_OUTCOMES: Record<Denial, AccessOutcome> = {
  unauthenticated: 'unauthenticated',
  key_expired: 'unauthenticated',
  key_revoked: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  retired: 'retired',
  rate_limited: 'rate_limited',
  unavailable: 'unavailable',
  policy_stale: 'unavailable',
  bad_gateway: 'upstream_error',
  gateway_timeout: 'upstream_error',
  internal: 'upstream_error',
};

/**
 * The hot path: every request that is not a system endpoint is authenticated, matched, authorised
 * and rate-limited against in-memory state, then proxied or denied, and recorded in the access log.
 * Nothing here waits on Kafka, Redis, a database or another service.
 */
@Injectable()
export class GatewayRequestHandler {
  private readonly evaluator: AccessEvaluator;
  private readonly gatewayId: string;

  constructor(
    private readonly policy: PolicyViewService,
    private readonly proxy: UpstreamProxy,
    private readonly accessLog: AccessLogService,
    private readonly rateLimits: RateLimitService,
    private readonly metrics: GatewayMetrics,
    private readonly system: SystemEndpoints,
    config: ConfigService<GatewayConfig, true>,
  ) {
    this.evaluator = new AccessEvaluator(policy.view, config.get('API_KEY_PEPPER', { infer: true }));
    this.gatewayId = config.get('GATEWAY_ID', { infer: true });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    const raw = req.url ?? '/';
    const url = raw.charCodeAt(0) === SLASH ? raw : originForm(raw);
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (SYSTEM_PATHS.has(path)) return this.system.serve(path, res);

    const inbound = readInboundHeaders(req.rawHeaders);
    const facts: RequestFacts = {
      requestId: inbound.requestId ?? randomUUID(),
      method: req.method ?? 'GET',
      path,
      startedAtMs: Date.now(),
      startedAt,
      decision: null,
    };
    const freshness = this.policy.freshness();
    if (!freshness.serving) return this.deny(res, facts, freshness.state === 'loading' ? 'unavailable' : 'policy_stale');
    const decision = this.evaluator.decide({ credential: extractCredential(inbound), method: facts.method, path, nowMs: facts.startedAtMs });
    facts.decision = decision;
    if (decision.outcome === 'unauthenticated') return this.deny(res, facts, CREDENTIAL_DENIALS[decision.failure]);
    if (decision.outcome !== 'allowed') return this.deny(res, facts, decision.outcome);

    const { api, key, rest } = decision;
    const verdict = this.rateLimits.check({ keyId: key.keyId, keyLimits: key.limits, apiId: api.apiId, apiLimits: api.keyLimits });
    if (!verdict.allowed) {
      const headers = ['retry-after', String(verdict.retryAfterSeconds)];
      if (verdict.fields !== null) pushRateLimitFields(headers, verdict.fields);
      return this.deny(res, facts, 'rate_limited', headers);
    }

    const responseHeaders = ['x-request-id', facts.requestId];
    for (const notice of api.noticeHeaders) responseHeaders.push(notice);
    if (verdict.fields !== null) pushRateLimitFields(responseHeaders, verdict.fields);
    const target = `${api.upstreamPath}${rest}`;
    inbound.forward.push('x-request-id', facts.requestId);
    inbound.forward.push('x-forwarded-for', forwardedFor(inbound.forwardedFor, req.socket.remoteAddress));
    this.proxy.forward(
      {
        req,
        res,
        requestId: facts.requestId,
        origin: api.upstreamOrigin,
        path: `${target === '' ? '/' : target}${queryAt === -1 ? '' : url.slice(queryAt)}`,
        headers: inbound.forward,
        hasBody: inbound.hasBody,
        responseHeaders,
      },
      (result) => this.record(facts, result.status, result.upstreamOk ? 'allowed' : 'upstream_error'),
    );
  }

  private deny(res: ServerResponse, facts: RequestFacts, denial: Denial, headers?: readonly string[]): void {
    sendProblem(res, { denial, requestId: facts.requestId, headers });
    this.record(facts, problemStatus(denial), DENIAL_OUTCOMES[denial]);
  }

  private record(facts: RequestFacts, status: number, outcome: AccessOutcome): void {
    this.metrics.countRequest(outcome);
    const decision = facts.decision;
    // Only a verified, usable key is named: a refused credential's record says nothing about which key it claimed to be.
    const allowed = decision !== null && decision.outcome === 'allowed' ? decision : null;
    const key = decision !== null && 'key' in decision ? decision.key : null;
    const api = decision !== null && 'api' in decision ? decision.api : null;
    const route = decision !== null && 'route' in decision ? decision.route : null;
    this.accessLog.record({
      requestId: facts.requestId,
      atMs: facts.startedAtMs,
      method: facts.method,
      path: facts.path,
      status,
      outcome,
      // To the microsecond: a double's 17 digits would make the number a seventh of the record's bytes on the wire.
      latencyMs: Math.max(0, Math.round((performance.now() - facts.startedAt) * 1000) / 1000),
      apiId: api?.apiId ?? null,
      route: route === null ? null : route.label,
      keyId: key?.keyId ?? null,
      principalId: key?.principalId ?? null,
      grantId: allowed !== null && outcome !== 'rate_limited' ? allowed.grantId : null,
    });
  }
}

const SLASH = 47;

/** `http://host/a?b` → `/a?b`: a client may send the absolute form (RFC 9112 §3.2.2); `*` and garbage stay as they are and match nothing. */
function originForm(target: string): string {
  try {
    const parsed = new URL(target);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return target;
  }
}

function forwardedFor(previous: string | undefined, client: string | undefined): string {
  const address = client ?? 'unknown';
  return previous === undefined ? address : `${previous}, ${address}`;
}

/** The IETF draft's two fields (draft-ietf-httpapi-ratelimit-headers-11), on every answer to a limited request. */
function pushRateLimitFields(headers: string[], fields: RateLimitFields): void {
  headers.push('ratelimit-policy', fields.policy, 'ratelimit', fields.limit);
}
