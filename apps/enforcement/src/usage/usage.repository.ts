import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UsageLastUsed } from '@attest/contracts';

export interface ApiConsumerRow {
  keyId: string;
  prefix: string;
  keyName: string;
  keyOwner: string | null;
  keyStatus: string;
  principalId: string;
  principalDisplayName: string;
  principalEmail: string | null;
  lastUsedAt: Date;
  requests: number;
}

export interface UnusedApiRow {
  id: string;
  name: string;
  basePath: string;
  ownerEmail: string;
  status: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Last-use evidence per (key, API), upserted set-based and only ever moved forward in time. */
@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Upserts a batch in one statement, the newest record per (key, API) winning; a redelivered or
   * reordered record older than what is held changes nothing.
   */
  async record(tx: EntityManager, records: readonly UsageLastUsed[]): Promise<void> {
    if (records.length === 0) return;
    await tx.query(
      `INSERT INTO enforcement.key_usage AS u (key_id, api_id, principal_id, grant_id, last_used_at, requests, updated_at)
       SELECT DISTINCT ON (key_id, api_id) key_id, api_id, principal_id, grant_id, last_used_at, requests, now()
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::bigint[])
         AS r(key_id, api_id, principal_id, grant_id, last_used_at, requests)
       ORDER BY key_id, api_id, last_used_at DESC
       ON CONFLICT (key_id, api_id) DO UPDATE SET
         principal_id = EXCLUDED.principal_id,
         grant_id = EXCLUDED.grant_id,
         last_used_at = EXCLUDED.last_used_at,
         requests = EXCLUDED.requests,
         updated_at = now()
       WHERE EXCLUDED.last_used_at >= u.last_used_at`,
      [
        records.map((r) => r.keyId),
        records.map((r) => r.apiId),
        records.map((r) => r.principalId),
        records.map((r) => r.grantId),
        records.map((r) => r.lastUsedAt),
        records.map((r) => r.requests),
      ],
    );
  }

  async lastUsedByKey(keyIds: string[]): Promise<Map<string, Date>> {
    if (keyIds.length === 0) return new Map();
    const rows: Array<{ key_id: string; last_used_at: Date }> = await this.dataSource.query(
      `SELECT key_id, max(last_used_at) AS last_used_at FROM enforcement.key_usage WHERE key_id = ANY($1::uuid[]) GROUP BY key_id`,
      [keyIds],
    );
    return new Map(rows.map((row) => [row.key_id, row.last_used_at]));
  }

  async lastUsedByGrant(grantIds: string[]): Promise<Map<string, Date>> {
    if (grantIds.length === 0) return new Map();
    const rows: Array<{ grant_id: string; last_used_at: Date }> = await this.dataSource.query(
      `SELECT grant_id, max(last_used_at) AS last_used_at FROM enforcement.key_usage WHERE grant_id = ANY($1::uuid[]) GROUP BY grant_id`,
      [grantIds],
    );
    return new Map(rows.map((row) => [row.grant_id, row.last_used_at]));
  }

  /** Per key of a principal, every API it called and when last. */
  async usageOfPrincipal(principalId: string): Promise<Array<{ keyId: string; apiId: string; lastUsedAt: Date; requests: number }>> {
    const rows: Array<{ key_id: string; api_id: string; last_used_at: Date; requests: string }> = await this.dataSource.query(
      `SELECT key_id, api_id, last_used_at, requests FROM enforcement.key_usage WHERE principal_id = $1 ORDER BY last_used_at DESC`,
      [principalId],
    );
    return rows.map((row) => ({ keyId: row.key_id, apiId: row.api_id, lastUsedAt: row.last_used_at, requests: Number(row.requests) }));
  }

  /** Keys that called the API at or after `since`, with their owners and principals, most recent first. */
  async consumersOf(query: { apiId: string; since: Date }): Promise<ApiConsumerRow[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT k.id AS "keyId", k.prefix, k.name AS "keyName", k.owner AS "keyOwner", k.status AS "keyStatus",
              p.id AS "principalId", p.display_name AS "principalDisplayName", p.email AS "principalEmail",
              u.last_used_at AS "lastUsedAt", u.requests
       FROM enforcement.key_usage u
       JOIN enforcement.api_keys k ON k.id = u.key_id
       JOIN enforcement.principals p ON p.id = k.principal_id
       WHERE u.api_id = $1 AND u.last_used_at >= $2
       ORDER BY u.last_used_at DESC, k.id`,
      [query.apiId, query.since],
    );
    return rows.map((row) => ({ ...(row as unknown as ApiConsumerRow), requests: Number(row.requests) }));
  }

  /**
   * APIs not retired with no call since `before`: never called and created before it, or last
   * called before it. One grouped statement over the read model.
   */
  async unusedSince(before: Date): Promise<UnusedApiRow[]> {
    return this.dataSource.query(
      `SELECT a.id, a.name, a.base_path AS "basePath", a.owner_email AS "ownerEmail", a.status,
              a.created_at AS "createdAt", max(u.last_used_at) AS "lastUsedAt"
       FROM enforcement.apis a
       LEFT JOIN enforcement.key_usage u ON u.api_id = a.id
       WHERE a.status <> 'retired'
       GROUP BY a.id
       HAVING (max(u.last_used_at) IS NULL AND a.created_at < $1) OR max(u.last_used_at) < $1
       ORDER BY max(u.last_used_at) ASC NULLS FIRST, a.created_at, a.id`,
      [before],
    );
  }

  /** The newest call of each API, for APIs that have any. */
  async lastUsedByApi(apiIds: string[]): Promise<Map<string, Date>> {
    if (apiIds.length === 0) return new Map();
    const rows: Array<{ api_id: string; last_used_at: Date }> = await this.dataSource.query(
      `SELECT api_id, max(last_used_at) AS last_used_at FROM enforcement.key_usage WHERE api_id = ANY($1::uuid[]) GROUP BY api_id`,
      [apiIds],
    );
    return new Map(rows.map((row) => [row.api_id, row.last_used_at]));
  }
}
