import { Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { ServiceMetrics } from '@attest/platform';
import { POLICY_VIEW_TOPICS, PolicyViewService } from '../policy/policy-view.service';
import { AccessLogService } from '../access-log/access-log.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';

/** Paths the gateway answers itself; no API can be published under them. */
export const SYSTEM_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Liveness, readiness and Prometheus metrics. Ready means the policy view caught up with both topics
 * and has heard from the broker within its staleness budget (or STALE_POLICY_MODE=serve); the
 * details also say whether rate limits are shared through Redis, which never affects readiness.
 */
@Injectable()
export class SystemEndpoints {
  constructor(
    private readonly policy: PolicyViewService,
    private readonly metrics: ServiceMetrics,
    private readonly rateLimits: RateLimitService,
    private readonly accessLog: AccessLogService,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
  ) {}

  serve(path: string, res: ServerResponse): void {
    switch (path) {
      case '/health/live':
        return sendJson(res, 200, { status: 'ok' });
      case '/health/ready':
        return this.ready(res);
      case '/metrics':
        return this.renderMetrics(res);
      default:
        return sendJson(res, 404, { status: 'not found' });
    }
  }

  private ready(res: ServerResponse): void {
    const freshness = this.policy.freshness();
    const staleness = this.policy.msSinceLastFetch;
    const view = {
      caughtUp: this.policy.isCaughtUp,
      freshness: freshness.state,
      topics: POLICY_VIEW_TOPICS,
      principals: this.policy.view.principalCount,
      apis: this.policy.view.apiCount,
      // How stale the view may be: time since the broker last answered the view's fetch (null before the first).
      msSinceLastFetch: Number.isFinite(staleness) ? staleness : null,
      stalenessBudgetMs: this.policy.stalenessBudgetMs,
      stalePolicyMode: this.policy.stalePolicyMode,
    };
    sendJson(res, freshness.ready ? 200 : 503, {
      status: freshness.ready ? 'ok' : 'unavailable',
      view,
      rateLimit: this.rateLimits.status,
      accessLog: { mode: this.accessLog.mode, droppedRecords: this.accessLog.droppedCount },
    });
  }

  private renderMetrics(res: ServerResponse): void {
    this.metrics.render().then(
      (text) => {
        res.writeHead(200, { 'content-type': this.metrics.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      },
      (error: Error) => {
        this.logger.error({ err: error }, 'could not render metrics');
        sendJson(res, 500, { status: 'error' });
      },
    );
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
