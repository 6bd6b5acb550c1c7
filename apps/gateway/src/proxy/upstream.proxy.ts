import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger as PinoLogger } from 'pino';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';
import { Denial, problemStatus, sendProblem } from '../http/problem-response';
import { responseHeadersToReturn } from './forwarded-headers';
import { UpstreamPools } from './upstream-pools';

export interface UpstreamCall {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** `scheme://host:port` of the upstream. */
  origin: string;
  /** Path and query string as the upstream sees them. */
  path: string;
  /** Flat `[name, value, ...]` request headers, already stripped of credentials and hop-by-hop ones. */
  headers: string[];
  hasBody: boolean;
  /** Added to the upstream's response headers (the request id, deprecation notices). */
  responseHeaders: readonly string[];
}

export interface UpstreamResult {
  /** The status the client received. */
  status: number;
  /** False when the upstream could not be reached, timed out, or broke off its response. */
  upstreamOk: boolean;
}

type Done = (result: UpstreamResult) => void;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** The status recorded for a call whose client closed the connection before it was answered (nginx's 499). */
const CLIENT_CLOSED_REQUEST = 499;

/** Streams a request to its upstream and the answer back, without buffering either body. */
@Injectable()
export class UpstreamProxy {
  constructor(
    private readonly pools: UpstreamPools,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
  ) {}

  forward(call: UpstreamCall, done: Done): void {
    const exchange = new UpstreamExchange(call, done, this.logger);
    this.pools.get(call.origin).dispatch(
      {
        method: call.req.method as Dispatcher.HttpMethod,
        path: call.path,
        headers: call.headers,
        body: call.hasBody ? call.req : null,
      },
      exchange,
    );
  }
}

/**
 * One proxied exchange, as an undici dispatch handler: the upstream's answer is written to the
 * client as it arrives, with back-pressure both ways. It is undici's lowest-level interface, chosen
 * because the higher-level ones add a stream, listeners and an async scope to every request.
 */
class UpstreamExchange implements Dispatcher.DispatchHandler {
  private status = 0;
  private abort: ((reason?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private finished = false;
  /** Made the first time the client falls behind, which most exchanges never do. */
  private backPressure: { drained: () => void; closed: () => void } | null = null;

  constructor(
    private readonly call: UpstreamCall,
    private readonly done: Done,
    private readonly logger: PinoLogger,
  ) {}

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // Informational answers (103 Early Hints) are not relayed; the final one follows.
    if (statusCode < 200) return true;
    const res = this.call.res;
    if (res.destroyed) return this.cancel();
    this.status = statusCode;
    this.resume = resume;
    const returned = responseHeadersToReturn(rawHeaders);
    for (const value of this.call.responseHeaders) returned.push(value);
    res.writeHead(statusCode, returned);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const res = this.call.res;
    if (res.destroyed) return this.cancel();
    if (res.write(chunk)) return true;
    // The client reads slower than the upstream sends: pause the upstream until the client drains, or give up if it leaves.
    const listeners = (this.backPressure ??= {
      drained: () => {
        res.off('close', listeners.closed);
        this.resume?.();
      },
      closed: () => {
        res.off('drain', listeners.drained);
        this.cancel();
      },
    });
    res.once('drain', listeners.drained);
    res.once('close', listeners.closed);
    return false;
  }

  onComplete(): void {
    this.call.res.end();
    this.finish({ status: this.status, upstreamOk: true });
  }

  onError(error: Error): void {
    const res = this.call.res;
    // The client left before the upstream answered: nothing failed upstream, and there is nobody to answer.
    if (error instanceof ClientGoneError && this.status === 0) return this.finish({ status: CLIENT_CLOSED_REQUEST, upstreamOk: true });
    const code = (error as { code?: string }).code;
    if (this.status !== 0 || res.headersSent) {
      // The answer had begun: all that can be done is to cut it, so the client sees it incomplete.
      res.destroy();
      return this.finish({ status: this.status, upstreamOk: code === 'UND_ERR_ABORTED' });
    }
    const denial: Denial = code !== undefined && TIMEOUT_CODES.has(code) ? 'gateway_timeout' : 'bad_gateway';
    this.logger.warn({ requestId: this.call.requestId, upstream: this.call.origin, code, reason: error.message }, 'upstream call failed');
    if (!res.destroyed) sendProblem(res, { denial, requestId: this.call.requestId });
    this.finish({ status: problemStatus(denial), upstreamOk: false });
  }

  /** The client went away: stop reading from the upstream and free its connection. */
  private cancel(): false {
    this.abort?.(new ClientGoneError());
    return false;
  }

  private finish(result: UpstreamResult): void {
    if (this.finished) return;
    this.finished = true;
    this.done(result);
  }
}

class ClientGoneError extends Error {
  readonly code = 'UND_ERR_ABORTED';
  constructor() {
    super('the client closed the connection');
  }
}
