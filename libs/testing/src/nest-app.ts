import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for';

/**
 * Listens on a free loopback port and resolves with the base URL once `/health/ready` answers 200: the
 * service's consumer groups start at the end of their topics once they have fetched, and only then is
 * an event a spec produces sure to be seen.
 */
export async function listenWhenReady(app: INestApplication, service: string): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  await waitFor(async () => (await fetch(`${baseUrl}/health/ready`).catch(() => null))?.status === 200, {
    timeoutMs: 60_000,
    description: `${service} ready`,
  });
  return baseUrl;
}
