import { randomUUID } from 'node:crypto';
import { AccessLogEntry } from './access-log-entry';

/** An allowed request's access-log entry, as the request thread records it; ids are fresh UUIDs. */
export function accessLogEntry(overrides: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    requestId: 'req-1',
    atMs: Date.parse('2030-01-02T03:04:05.678Z'),
    method: 'GET',
    path: '/orders/1',
    status: 200,
    outcome: 'allowed',
    latencyMs: 1.25,
    apiId: randomUUID(),
    route: 'GET /orders/:id',
    keyId: randomUUID(),
    principalId: randomUUID(),
    grantId: randomUUID(),
    ...overrides,
  };
}
