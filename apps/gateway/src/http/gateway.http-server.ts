import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { GatewayConfig } from '../config';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { GatewayRequestHandler } from './gateway.request-handler';
import { sendProblem } from './problem-response';

const DRAIN_SWEEP_MS = 50;

/**
 * The gateway's plain node:http server. Proxied traffic never passes through Nest or Express: the
 * framework only wires this object and closes it gracefully (stop accepting, let in-flight requests
 * finish, then close what is left).
 */
@Injectable()
export class GatewayHttpServer {
  private readonly server: Server;
  private readonly port: number;
  private draining = false;

  constructor(
    private readonly handler: GatewayRequestHandler,
    config: ConfigService<GatewayConfig, true>,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
  ) {
    this.port = config.get('PORT', { infer: true });
    this.server = createServer((req, res) => this.onRequest(req, res));
    // Longer than common client and load-balancer idle timeouts, so the gateway is not the side that closes a reused connection.
    this.server.keepAliveTimeout = 65_000;
  }

  get address(): AddressInfo | null {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /** `http://127.0.0.1:<port>` once listening. */
  get url(): string {
    return `http://127.0.0.1:${this.address?.port ?? this.port}`;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.address!;
  }

  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes every connection left. */
  async drain(graceMs: number): Promise<void> {
    if (!this.server.listening) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A keep-alive connection whose request was in flight when draining began goes idle once answered; close those as they do.
    const sweep = setInterval(() => this.server.closeIdleConnections(), DRAIN_SWEEP_MS);
    const deadline = setTimeout(() => {
      this.logger.warn('drain deadline reached, closing the remaining connections');
      this.server.closeAllConnections();
    }, graceMs);
    this.server.closeIdleConnections();
    await closed;
    clearInterval(sweep);
    clearTimeout(deadline);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // While draining, every answer closes its connection so the server can finish closing.
    if (this.draining) res.shouldKeepAlive = false;
    try {
      this.handler.handle(req, res);
    } catch (error) {
      this.logger.error({ err: error }, 'request handler failed');
      if (res.headersSent) res.destroy();
      else sendProblem(res, { denial: 'internal', requestId: 'unknown' });
    }
  }
}
