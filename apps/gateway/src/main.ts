import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Logger as PinoLogger } from 'pino';
import { ConfigError, holdNextTickShape } from '@attest/platform';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config';
import { GatewayHttpServer } from './http/gateway.http-server';
import { GATEWAY_LOGGER, NestPinoLogger } from './logging/gateway-logger';

async function main(): Promise<void> {
  // Every request goes through Node's streams, which call process.nextTick several times each.
  holdNextTickShape();
  // Checked before Nest starts so a bad setting stops the process with one clear line per problem.
  loadGatewayConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(), { bufferLogs: true });
  app.useLogger(app.get(NestPinoLogger));
  app.enableShutdownHooks();
  const url = app.get(GatewayHttpServer).url;
  app.get<PinoLogger>(GATEWAY_LOGGER).info({ url }, `gateway listening on ${url}`);
}

main().catch((error: unknown) => {
  // Invalid configuration names each bad variable, never its value.
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`gateway failed to start: ${message}\n`);
  process.exit(1);
});
