import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { EventConsumerHost } from '@attest/messaging';
import { waitFor } from '@attest/testing';

/**
 * Starts enforcement in-process for an integration spec with the given settings, and resolves once it
 * is ready: its consumer groups start at the end of their topics once they have fetched, and only
 * then is a produced event sure to be seen.
 */
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
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  await waitFor(async () => (await fetch(`${baseUrl}/health/ready`)).status === 200, { timeoutMs: 60_000, description: 'enforcement ready' });
  return { app, baseUrl };
}
