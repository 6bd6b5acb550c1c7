import { Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { POLICY_VIEW_TOPICS, PolicyViewService } from '../policy/policy-view.service';

/** Paths the gateway answers itself; no API can be published under them. */
export const SYSTEM_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

/** Liveness, readiness (the policy view caught up with both topics) and Prometheus metrics. */
@Injectable()
export class SystemEndpoints {
  constructor(
    private readonly policy: PolicyViewService,
    private readonly metrics: GatewayMetrics,
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
    const ready = this.policy.isReady;
    const view = {
      caughtUp: ready,
      topics: POLICY_VIEW_TOPICS,
      principals: this.policy.view.principalCount,
      apis: this.policy.view.apiCount,
      // How stale the view may be: time since the broker last answered the view's fetch (null before the first).
      msSinceLastFetch: Number.isFinite(this.policy.msSinceLastFetch) ? this.policy.msSinceLastFetch : null,
    };
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', view });
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
