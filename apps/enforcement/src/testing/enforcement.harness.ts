import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventConsumerHost } from '@attest/messaging';
import { listenWhenReady } from '@attest/testing';

/** Starts enforcement in-process for an integration spec with the given settings, and resolves once it is ready. */
export async function startEnforcement(options: {
  env: Record<string, string>;
  /** Topics this instance must stay off (another spec's instance, or none, consumes them). */
  notConsumed?: ReadonlySet<string>;
}): Promise<{ app: INestApplication; baseUrl: string }> {
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...options.env });
  // Imported only now: the module reads and validates the environment when it is loaded.
  const { AppModule } = await import('../app.module');
  const app = await NestFactory.create(AppModule, { logger: ['error'], abortOnError: false });
  const notConsumed = options.notConsumed;
  if (notConsumed) {
    // Handlers register on init (in listen), so dropping some here keeps this instance off their topics.
    const host = app.get(EventConsumerHost);
    const register = host.register.bind(host);
    host.register = ((handler) => (notConsumed.has(handler.topic) ? undefined : register(handler))) as typeof host.register;
  }
  return { app, baseUrl: await listenWhenReady(app, 'enforcement') };
}
