import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessOutcome } from '@attest/contracts';
import { GatewayConfig } from '../config';
import { AccessLogService } from '../access-log/access-log.service';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { AccessDecision, AccessEvaluator } from '../policy/domain/access-decision';
import { extractCredential } from '../policy/domain/credential';
import { ApiEntry } from '../policy/domain/policy-view';
import { PolicyViewService } from '../policy/policy-view.service';
import { readInboundHeaders } from '../proxy/forwarded-headers';
import { UpstreamProxy } from '../proxy/upstream.proxy';
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

/**
 * The hot path: every request that is not a system endpoint is authenticated, matched and
 * authorised against the in-memory view, then proxied or denied, and recorded in the access log.
 * Nothing here waits on Kafka, a database or another service.
 */
@Injectable()
export class GatewayRequestHandler {
  private readonly evaluator: AccessEvaluator;
  private readonly gatewayId: string;

  constructor(
    private readonly policy: PolicyViewService,
    private readonly proxy: UpstreamProxy,
    private readonly accessLog: AccessLogService,
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
    if (!this.policy.isReady) return this.deny(res, facts, 'unavailable');
    const decision = this.evaluator.decide({ credential: extractCredential(inbound), method: facts.method, path, nowMs: facts.startedAtMs });
    facts.decision = decision;
    if (decision.outcome !== 'allowed') return this.deny(res, facts, decision.outcome);

    const { api, rest } = decision;
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
        responseHeaders: responseHeadersFor(api, facts.requestId),
      },
      (result) => this.record(facts, result.status, result.upstreamOk ? 'allowed' : 'upstream_error'),
    );
  }

  private deny(res: ServerResponse, facts: RequestFacts, denial: Denial & AccessOutcome): void {
    sendProblem(res, denial, facts.requestId);
    this.record(facts, problemStatus(denial), denial);
  }

  private record(facts: RequestFacts, status: number, outcome: AccessOutcome): void {
    this.metrics.countRequest(outcome);
    const decision = facts.decision;
    const key = decision !== null && decision.outcome !== 'unauthenticated' ? decision.key : null;
    const api = decision !== null && 'api' in decision ? decision.api : null;
    const route = decision !== null && 'route' in decision ? decision.route : null;
    this.accessLog.record({
      requestId: facts.requestId,
      at: isoTime(facts.startedAtMs),
      method: facts.method,
      path: facts.path,
      status,
      outcome,
      latencyMs: Math.max(0, performance.now() - facts.startedAt),
      apiId: api?.apiId ?? null,
      route: route === null ? null : `${route.method} ${route.path}`,
      keyId: key?.keyId ?? null,
      principalId: key?.principalId ?? null,
      grantId: decision?.outcome === 'allowed' ? decision.grantId : null,
      gatewayId: this.gatewayId,
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

let lastIsoMs = 0;
let lastIso = '';

/** Many requests start within the same millisecond; formatting each one's time again would be wasted work. */
function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function forwardedFor(previous: string | undefined, client: string | undefined): string {
  const address = client ?? 'unknown';
  return previous === undefined ? address : `${previous}, ${address}`;
}

/** The request id, and for a deprecated API a `Deprecation` notice and its RFC 8594 `Sunset` date when one is set. */
function responseHeadersFor(api: ApiEntry, requestId: string): string[] {
  if (api.status !== 'deprecated') return ['x-request-id', requestId];
  const headers = ['x-request-id', requestId, 'deprecation', 'true'];
  if (api.sunsetAt !== null) headers.push('sunset', new Date(api.sunsetAt).toUTCString());
  return headers;
}
