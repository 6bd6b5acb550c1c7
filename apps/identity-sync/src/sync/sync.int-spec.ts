import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { PROBLEM_TYPES } from '@attest/contracts';
import { TEST_DATABASE_URL } from '@attest/testing';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'identity-sync-int-spec-admin-token';

describe('identity-sync: skeleton service', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    process.env.NODE_ENV = 'test';
    process.env.LOG_LEVEL = 'silent';
    process.env.ATTEST_ADMIN_TOKEN = ADMIN_TOKEN;
    // Imported only now: the module reads its settings from the environment set just above.
    const { AppModule } = await import('../app.module');
    app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('migrates its schema at start and reports ready', async () => {
    const tables = await app
      .get(DataSource)
      .query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'identity_sync' ORDER BY table_name`);
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(
      expect.arrayContaining(['migrations', 'outbox', 'processed_events']),
    );
    const ready = await fetch(`${baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('reports an idle sync that has never run', async () => {
    const response = await fetch(`${baseUrl}/v1/sync/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'idle', lastRun: null });
  });

  it('answers 401 without the admin token', async () => {
    const response = await fetch(`${baseUrl}/v1/sync/status`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { type: string }).type).toBe(PROBLEM_TYPES.unauthenticated);
  });
});
