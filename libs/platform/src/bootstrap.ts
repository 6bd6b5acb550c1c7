import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { holdNextTickShape } from './next-tick-shape';

export interface ServiceBootstrapOptions {
  service: string;
  port: number;
  host?: string;
}

/** Creates, starts and wires graceful shutdown for one HTTP service. */
export async function bootstrapService(module: Type<unknown>, options: ServiceBootstrapOptions): Promise<INestApplication> {
  holdNextTickShape();
  const app = await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await app.listen(options.port, options.host ?? '0.0.0.0');
  app.get(Logger).log(`${options.service} listening on http://127.0.0.1:${options.port}`);
  return app;
}
