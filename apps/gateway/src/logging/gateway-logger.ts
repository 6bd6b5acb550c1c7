import { LoggerService } from '@nestjs/common';
import pino, { Logger as PinoLogger } from 'pino';
import { REDACTED_PATHS } from '@attest/platform';

export const GATEWAY_LOGGER = Symbol('GATEWAY_LOGGER');

/** Paths that may hold a credential, wherever a log call puts headers; pino censors them before writing. */
export const GATEWAY_REDACTED_PATHS = [
  ...REDACTED_PATHS,
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '["x-api-key"]',
  '*["x-api-key"]',
  'credential',
  '*.credential',
];

/** Writes synchronously: the gateway logs rarely (never per request), and its last lines must survive the exit on SIGTERM. */
export function createGatewayLogger(level: string): PinoLogger {
  return pino(
    { name: 'gateway', level, redact: { paths: GATEWAY_REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 1, sync: true }),
  );
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Lets the framework and the shared libraries (which log through Nest's Logger) write through the same pino instance. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  // Nest passes the context name last and, for errors, a stack before it.
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
