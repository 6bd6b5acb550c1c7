import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { IdentityStatus } from '@attest/contracts';
import { GroupRecord } from './domain/group';
import { PrincipalRecord } from './domain/principal';
import { returnedRows } from '../database/returning';

interface PrincipalRow {
  id: string;
  type: 'user' | 'service';
  user_name: string;
  email: string | null;
  display_name: string;
  given_name: string | null;
  family_name: string | null;
  title: string | null;
  department: string | null;
  status: IdentityStatus;
  manager_principal_id: string | null;
  manager_okta_id: string | null;
  okta_id: string | null;
  okta_status: string | null;
  okta_last_updated: Date | null;
  scim_managed: boolean;
  scim_external_id: string | null;
  created_at: Date;
  updated_at: Date;
}

interface GroupRow {
  id: string;
  display_name: string;
  description: string | null;
  status: 'active' | 'deleted';
  okta_id: string | null;
  okta_last_updated: Date | null;
  scim_managed: boolean;
  scim_external_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface StoredPrincipal extends PrincipalRecord {
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredGroup extends GroupRecord {
  createdAt: Date;
  updatedAt: Date;
}

export interface MembershipPair {
  groupId: string;
  principalId: string;
}

/** Filters the SCIM and admin APIs list principals by (all optional, combined with AND). */
export interface PrincipalQuery {
  id?: string;
  userName?: string;
  email?: string;
  externalId?: string;
  oktaId?: string;
  displayName?: string;
  status?: IdentityStatus;
  /** Leave deleted principals out (SCIM treats them as gone). */
  live?: boolean;
  offset: number;
  limit: number;
}

export interface GroupQuery {
  id?: string;
  displayName?: string;
  externalId?: string;
  offset: number;
  limit: number;
}

const T = 'identity_sync';

/**
 * Set-based reads and writes of the mirror. Every write runs inside a transaction that first took the
 * directory lock, so the before-images read here are exactly what the write replaces.
 */
@Injectable()
export class DirectoryRepository {
  /** Serialises writers to the mirror (sync pages, hooks, System Log, SCIM) across replicas, for exact diffs. */
  async lock(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('attest:identity-sync:directory'))`);
  }

  /**
   * For each Okta user, the principal it is: the one already linked to its Okta id, else an unlinked one
   * with the same user name or e-mail (a person pushed over SCIM first), preferring a live one.
   */
  async matchOktaUsers(
    tx: EntityManager,
    users: ReadonlyArray<{ oktaId: string; userName: string; email: string | null }>,
  ): Promise<Array<StoredPrincipal | null>> {
    if (users.length === 0) return [];
    const rows: Array<PrincipalRow & { ord: string }> = await tx.query(
      `SELECT s.ord, c.*
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS s(okta_id, user_name, email, ord)
         JOIN LATERAL (
           SELECT p.* FROM ${T}.principals p
            WHERE p.okta_id = s.okta_id
               OR (p.okta_id IS NULL AND (lower(p.user_name) = lower(s.user_name) OR lower(p.email) = lower(s.email)))
            ORDER BY p.okta_id IS NOT NULL DESC, p.status <> 'deleted' DESC, lower(p.user_name) = lower(s.user_name) DESC, p.created_at
            LIMIT 1
         ) c ON true`,
      [users.map((u) => u.oktaId), users.map((u) => u.userName), users.map((u) => u.email)],
    );
    const matched: Array<StoredPrincipal | null> = users.map(() => null);
    for (const row of rows) matched[Number(row.ord) - 1] = toPrincipal(row);
    return matched;
  }

  /** Principals a SCIM client may mean by this user name or e-mail, live ones first. */
  async findByUserNameOrEmail(tx: EntityManager, userName: string, email: string | null): Promise<StoredPrincipal[]> {
    const rows: PrincipalRow[] = await tx.query(
      `SELECT * FROM ${T}.principals
        WHERE lower(user_name) = lower($1) OR ($2::text IS NOT NULL AND lower(email) = lower($2))
        ORDER BY status <> 'deleted' DESC, lower(user_name) = lower($1) DESC, created_at
        LIMIT 10`,
      [userName, email],
    );
    return rows.map(toPrincipal);
  }

  async principalIdsByOktaIds(tx: EntityManager, oktaIds: readonly string[]): Promise<Map<string, string>> {
    if (oktaIds.length === 0) return new Map();
    const rows: Array<{ id: string; okta_id: string }> = await tx.query(
      `SELECT id, okta_id FROM ${T}.principals WHERE okta_id = ANY($1::text[])`,
      [[...new Set(oktaIds)]],
    );
    return new Map(rows.map((row) => [row.okta_id, row.id]));
  }

  async findPrincipalsByOktaIds(tx: EntityManager, oktaIds: readonly string[]): Promise<StoredPrincipal[]> {
    if (oktaIds.length === 0) return [];
    const rows: PrincipalRow[] = await tx.query(`SELECT * FROM ${T}.principals WHERE okta_id = ANY($1::text[])`, [[...oktaIds]]);
    return rows.map(toPrincipal);
  }

  async findPrincipal(tx: EntityManager, id: string): Promise<StoredPrincipal | null> {
    const rows: PrincipalRow[] = await tx.query(`SELECT * FROM ${T}.principals WHERE id = $1`, [id]);
    return rows[0] ? toPrincipal(rows[0]) : null;
  }

  async findPrincipals(tx: EntityManager, ids: readonly string[]): Promise<StoredPrincipal[]> {
    if (ids.length === 0) return [];
    const rows: PrincipalRow[] = await tx.query(`SELECT * FROM ${T}.principals WHERE id = ANY($1::uuid[])`, [[...ids]]);
    return rows.map(toPrincipal);
  }

  /** Principals (set-based) whose manager is one of these Okta users but not yet linked to their principal id. */
  async findUnlinkedReports(tx: EntityManager, managerOktaIds: readonly string[]): Promise<Array<StoredPrincipal & { resolvedManagerId: string }>> {
    if (managerOktaIds.length === 0) return [];
    const rows: Array<PrincipalRow & { resolved_manager_id: string }> = await tx.query(
      `SELECT p.*, m.id AS resolved_manager_id
         FROM ${T}.principals p
         JOIN ${T}.principals m ON m.okta_id = p.manager_okta_id
        WHERE p.manager_okta_id = ANY($1::text[]) AND p.manager_principal_id IS DISTINCT FROM m.id`,
      [[...new Set(managerOktaIds)]],
    );
    return rows.map((row) => ({ ...toPrincipal(row), resolvedManagerId: row.resolved_manager_id }));
  }

  /** Inserts or replaces whole rows in one statement; `oktaRefreshed` stamps them as just confirmed by Okta. */
  async upsertPrincipals(tx: EntityManager, records: readonly PrincipalRecord[], options: { source: string; oktaRefreshed: boolean }): Promise<void> {
    if (records.length === 0) return;
    const column = <K extends keyof PrincipalRecord>(key: K) => records.map((record) => record[key]);
    await tx.query(
      `INSERT INTO ${T}.principals AS p (
         id, type, user_name, email, display_name, given_name, family_name, title, department, status,
         manager_principal_id, manager_okta_id, okta_id, okta_status, okta_last_updated, scim_managed, scim_external_id,
         source, okta_refreshed_at)
       SELECT u.*, $18, CASE WHEN $19::boolean THEN now() END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::uuid[], $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::boolean[], $17::text[]) AS u
       ON CONFLICT (id) DO UPDATE SET
         type = EXCLUDED.type, user_name = EXCLUDED.user_name, email = EXCLUDED.email, display_name = EXCLUDED.display_name,
         given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, title = EXCLUDED.title,
         department = EXCLUDED.department, status = EXCLUDED.status, manager_principal_id = EXCLUDED.manager_principal_id,
         manager_okta_id = EXCLUDED.manager_okta_id, okta_id = EXCLUDED.okta_id, okta_status = EXCLUDED.okta_status,
         okta_last_updated = EXCLUDED.okta_last_updated, scim_managed = EXCLUDED.scim_managed,
         scim_external_id = EXCLUDED.scim_external_id, source = EXCLUDED.source,
         okta_refreshed_at = COALESCE(EXCLUDED.okta_refreshed_at, p.okta_refreshed_at), updated_at = now()`,
      [
        column('id'),
        column('type'),
        column('userName'),
        column('email'),
        column('displayName'),
        column('givenName'),
        column('familyName'),
        column('title'),
        column('department'),
        column('status'),
        column('managerPrincipalId'),
        column('managerOktaId'),
        column('oktaId'),
        column('oktaStatus'),
        column('oktaLastUpdated'),
        column('scimManaged'),
        column('scimExternalId'),
        options.source,
        options.oktaRefreshed,
      ],
    );
  }

  /** Okta listed these principals unchanged: remember that it still knows them. */
  async touchOktaPrincipals(tx: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`UPDATE ${T}.principals SET okta_refreshed_at = now() WHERE id = ANY($1::uuid[])`, [[...ids]]);
  }

  /** Live Okta-linked principals Okta has not confirmed since `before`: the users a full sync no longer saw. */
  async findOktaPrincipalsNotRefreshedSince(tx: EntityManager, before: Date): Promise<StoredPrincipal[]> {
    const rows: PrincipalRow[] = await tx.query(
      `SELECT * FROM ${T}.principals
        WHERE okta_id IS NOT NULL AND status <> 'deleted' AND (okta_refreshed_at IS NULL OR okta_refreshed_at < $1)`,
      [before],
    );
    return rows.map(toPrincipal);
  }

  async queryPrincipals(tx: EntityManager, query: PrincipalQuery): Promise<{ total: number; items: StoredPrincipal[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.id !== undefined) add((p) => `id::text = ${p}`, query.id);
    if (query.userName !== undefined) add((p) => `lower(user_name) = lower(${p})`, query.userName);
    if (query.email !== undefined) add((p) => `lower(email) = lower(${p})`, query.email);
    if (query.externalId !== undefined) add((p) => `(scim_external_id = ${p} OR okta_id = ${p})`, query.externalId);
    if (query.oktaId !== undefined) add((p) => `okta_id = ${p}`, query.oktaId);
    if (query.displayName !== undefined) add((p) => `display_name = ${p}`, query.displayName);
    if (query.status !== undefined) add((p) => `status = ${p}`, query.status);
    if (query.live) where.push(`status <> 'deleted'`);
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: Array<{ total: number }> = await tx.query(`SELECT count(*)::int AS total FROM ${T}.principals ${condition}`, params);
    const rows: PrincipalRow[] = await tx.query(
      `SELECT * FROM ${T}.principals ${condition} ORDER BY created_at, id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, query.offset, query.limit],
    );
    return { total, items: rows.map(toPrincipal) };
  }

  async matchOktaGroups(tx: EntityManager, oktaIds: readonly string[]): Promise<StoredGroup[]> {
    if (oktaIds.length === 0) return [];
    const rows: GroupRow[] = await tx.query(`SELECT * FROM ${T}.groups WHERE okta_id = ANY($1::text[])`, [[...oktaIds]]);
    return rows.map(toGroup);
  }

  async findGroup(tx: EntityManager, id: string): Promise<StoredGroup | null> {
    const rows: GroupRow[] = await tx.query(`SELECT * FROM ${T}.groups WHERE id = $1`, [id]);
    return rows[0] ? toGroup(rows[0]) : null;
  }

  async findGroupsByDisplayName(tx: EntityManager, displayName: string): Promise<StoredGroup[]> {
    const rows: GroupRow[] = await tx.query(
      `SELECT * FROM ${T}.groups WHERE lower(display_name) = lower($1) ORDER BY status <> 'deleted' DESC, created_at`,
      [displayName],
    );
    return rows.map(toGroup);
  }

  async groupNames(tx: EntityManager, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; display_name: string }> = await tx.query(
      `SELECT id, display_name FROM ${T}.groups WHERE id = ANY($1::uuid[])`,
      [[...new Set(ids)]],
    );
    return new Map(rows.map((row) => [row.id, row.display_name]));
  }

  async upsertGroups(tx: EntityManager, records: readonly GroupRecord[], options: { source: string; oktaRefreshed: boolean }): Promise<void> {
    if (records.length === 0) return;
    const column = <K extends keyof GroupRecord>(key: K) => records.map((record) => record[key]);
    await tx.query(
      `INSERT INTO ${T}.groups AS g (id, display_name, description, status, okta_id, okta_last_updated, scim_managed, scim_external_id, source, okta_refreshed_at)
       SELECT u.*, $9, CASE WHEN $10::boolean THEN now() END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::boolean[], $8::text[]) AS u
       ON CONFLICT (id) DO UPDATE SET
         display_name = EXCLUDED.display_name, description = EXCLUDED.description, status = EXCLUDED.status,
         okta_id = EXCLUDED.okta_id, okta_last_updated = EXCLUDED.okta_last_updated, scim_managed = EXCLUDED.scim_managed,
         scim_external_id = EXCLUDED.scim_external_id, source = EXCLUDED.source,
         okta_refreshed_at = COALESCE(EXCLUDED.okta_refreshed_at, g.okta_refreshed_at), updated_at = now()`,
      [
        column('id'),
        column('displayName'),
        column('description'),
        column('status'),
        column('oktaId'),
        column('oktaLastUpdated'),
        column('scimManaged'),
        column('scimExternalId'),
        options.source,
        options.oktaRefreshed,
      ],
    );
  }

  async touchOktaGroups(tx: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`UPDATE ${T}.groups SET okta_refreshed_at = now() WHERE id = ANY($1::uuid[])`, [[...ids]]);
  }

  async findOktaGroupsNotRefreshedSince(tx: EntityManager, before: Date): Promise<StoredGroup[]> {
    const rows: GroupRow[] = await tx.query(
      `SELECT * FROM ${T}.groups WHERE okta_id IS NOT NULL AND status <> 'deleted' AND (okta_refreshed_at IS NULL OR okta_refreshed_at < $1)`,
      [before],
    );
    return rows.map(toGroup);
  }

  /** Live Okta groups after `afterOktaId` in Okta id order: the membership stage's work list. */
  async oktaGroupsAfter(tx: EntityManager, afterOktaId: string | null, limit: number): Promise<Array<{ id: string; oktaId: string }>> {
    const rows: Array<{ id: string; okta_id: string }> = await tx.query(
      `SELECT id, okta_id FROM ${T}.groups
        WHERE okta_id IS NOT NULL AND status = 'active' AND ($1::text IS NULL OR okta_id > $1)
        ORDER BY okta_id LIMIT $2`,
      [afterOktaId, limit],
    );
    return rows.map((row) => ({ id: row.id, oktaId: row.okta_id }));
  }

  async queryGroups(tx: EntityManager, query: GroupQuery): Promise<{ total: number; items: StoredGroup[] }> {
    const where = [`status <> 'deleted'`];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.id !== undefined) add((p) => `id::text = ${p}`, query.id);
    if (query.displayName !== undefined) add((p) => `lower(display_name) = lower(${p})`, query.displayName);
    if (query.externalId !== undefined) add((p) => `(scim_external_id = ${p} OR okta_id = ${p})`, query.externalId);
    const condition = `WHERE ${where.join(' AND ')}`;
    const [{ total }]: Array<{ total: number }> = await tx.query(`SELECT count(*)::int AS total FROM ${T}.groups ${condition}`, params);
    const rows: GroupRow[] = await tx.query(
      `SELECT * FROM ${T}.groups ${condition} ORDER BY created_at, id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, query.offset, query.limit],
    );
    return { total, items: rows.map(toGroup) };
  }

  /**
   * Adds memberships (or re-confirms them); returns only the pairs that are new. `oktaReadAt`: when Okta
   * listed a pair (absent: not from Okta); a membership keeps the newest such time. With `skipNewerUserReads`,
   * a pair is left out when its user's whole group list was read after Okta listed the pair: that read is newer.
   */
  async upsertMemberships(
    tx: EntityManager,
    pairs: ReadonlyArray<MembershipPair & { oktaReadAt?: Date }>,
    options: { source: string; skipNewerUserReads?: boolean },
  ): Promise<MembershipPair[]> {
    if (pairs.length === 0) return [];
    const rows: Array<{ group_id: string; principal_id: string; inserted: boolean }> = await tx.query(
      `INSERT INTO ${T}.memberships AS m (group_id, principal_id, source, okta_refreshed_at)
       SELECT u.group_id, u.principal_id, $3, u.read_at
         FROM unnest($1::uuid[], $2::uuid[], $4::timestamptz[]) AS u(group_id, principal_id, read_at)
         JOIN ${T}.principals p ON p.id = u.principal_id
        WHERE NOT $5::boolean OR p.okta_memberships_read_at IS NULL OR p.okta_memberships_read_at <= u.read_at
       ON CONFLICT (group_id, principal_id) DO UPDATE SET okta_refreshed_at = GREATEST(EXCLUDED.okta_refreshed_at, m.okta_refreshed_at)
       RETURNING group_id, principal_id, (xmax = 0) AS inserted`,
      [
        pairs.map((p) => p.groupId),
        pairs.map((p) => p.principalId),
        options.source,
        pairs.map((p) => p.oktaReadAt ?? null),
        options.skipNewerUserReads ?? false,
      ],
    );
    return rows.filter((row) => row.inserted).map(toPair);
  }

  /** Removes these Okta memberships of one user, except those Okta listed at or after `readAt` (a newer read). */
  async deleteOktaMembershipsListedBefore(tx: EntityManager, principalId: string, groupIds: readonly string[], readAt: Date): Promise<MembershipPair[]> {
    if (groupIds.length === 0) return [];
    const rows = returnedRows<{ group_id: string; principal_id: string }>(
      await tx.query(
        `DELETE FROM ${T}.memberships
          WHERE principal_id = $1 AND group_id = ANY($2::uuid[]) AND (okta_refreshed_at IS NULL OR okta_refreshed_at < $3)
          RETURNING group_id, principal_id`,
        [principalId, groupIds, readAt],
      ),
    );
    return rows.map(toPair);
  }

  async deleteMemberships(tx: EntityManager, pairs: readonly MembershipPair[]): Promise<MembershipPair[]> {
    if (pairs.length === 0) return [];
    const rows = returnedRows<{ group_id: string; principal_id: string }>(
      await tx.query(
        `DELETE FROM ${T}.memberships m USING unnest($1::uuid[], $2::uuid[]) AS u(group_id, principal_id)
          WHERE m.group_id = u.group_id AND m.principal_id = u.principal_id
          RETURNING m.group_id, m.principal_id`,
        [pairs.map((p) => p.groupId), pairs.map((p) => p.principalId)],
      ),
    );
    return rows.map(toPair);
  }

  /** Removes the Okta memberships of each group that Okta did not list since that group's `before`. */
  async deleteOktaMembershipsNotRefreshedSince(
    tx: EntityManager,
    groups: ReadonlyArray<{ groupId: string; before: Date }>,
  ): Promise<MembershipPair[]> {
    if (groups.length === 0) return [];
    const rows = returnedRows<{ group_id: string; principal_id: string }>(
      await tx.query(
        `DELETE FROM ${T}.memberships m USING unnest($1::uuid[], $2::timestamptz[]) AS u(group_id, before)
          WHERE m.group_id = u.group_id AND m.source = 'okta' AND (m.okta_refreshed_at IS NULL OR m.okta_refreshed_at < u.before)
          RETURNING m.group_id, m.principal_id`,
        [groups.map((g) => g.groupId), groups.map((g) => g.before)],
      ),
    );
    return rows.map(toPair);
  }

  async deleteMembershipsOfPrincipals(tx: EntityManager, principalIds: readonly string[]): Promise<MembershipPair[]> {
    if (principalIds.length === 0) return [];
    const rows = returnedRows<{ group_id: string; principal_id: string }>(
      await tx.query(
        `DELETE FROM ${T}.memberships WHERE principal_id = ANY($1::uuid[]) RETURNING group_id, principal_id`,
        [[...principalIds]],
      ),
    );
    return rows.map(toPair);
  }

  async deleteMembershipsOfGroups(tx: EntityManager, groupIds: readonly string[]): Promise<MembershipPair[]> {
    if (groupIds.length === 0) return [];
    const rows = returnedRows<{ group_id: string; principal_id: string }>(
      await tx.query(
        `DELETE FROM ${T}.memberships WHERE group_id = ANY($1::uuid[]) RETURNING group_id, principal_id`,
        [[...groupIds]],
      ),
    );
    return rows.map(toPair);
  }

  /**
   * Records that the principal's Okta group list was read at `readAt`, unless a read at least as new
   * was already written: returns false then, and the older read must not be applied. The row lock it
   * takes holds a concurrent writer of the same user until this transaction ends.
   */
  async claimOktaMembershipRead(tx: EntityManager, principalId: string, readAt: Date): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE ${T}.principals SET okta_memberships_read_at = $2
          WHERE id = $1 AND (okta_memberships_read_at IS NULL OR okta_memberships_read_at < $2)
          RETURNING id`,
        [principalId, readAt],
      ),
    );
    return rows.length > 0;
  }

  /** Okta-sourced memberships of one principal, with the Okta ids of their groups. */
  async oktaMembershipsOf(tx: EntityManager, principalId: string): Promise<Array<{ groupId: string; groupOktaId: string }>> {
    const rows: Array<{ group_id: string; okta_id: string }> = await tx.query(
      `SELECT m.group_id, g.okta_id FROM ${T}.memberships m JOIN ${T}.groups g ON g.id = m.group_id
        WHERE m.principal_id = $1 AND m.source = 'okta' AND g.okta_id IS NOT NULL`,
      [principalId],
    );
    return rows.map((row) => ({ groupId: row.group_id, groupOktaId: row.okta_id }));
  }

  async membersOf(tx: EntityManager, groupIds: readonly string[]): Promise<Array<MembershipPair & { displayName: string }>> {
    if (groupIds.length === 0) return [];
    const rows: Array<{ group_id: string; principal_id: string; display_name: string }> = await tx.query(
      `SELECT m.group_id, m.principal_id, p.display_name FROM ${T}.memberships m JOIN ${T}.principals p ON p.id = m.principal_id
        WHERE m.group_id = ANY($1::uuid[]) ORDER BY m.created_at, m.principal_id`,
      [[...groupIds]],
    );
    return rows.map((row) => ({ ...toPair(row), displayName: row.display_name }));
  }

  async groupsOf(tx: EntityManager, principalId: string): Promise<Array<{ id: string; displayName: string }>> {
    const rows: Array<{ id: string; display_name: string }> = await tx.query(
      `SELECT g.id, g.display_name FROM ${T}.memberships m JOIN ${T}.groups g ON g.id = m.group_id
        WHERE m.principal_id = $1 ORDER BY g.display_name`,
      [principalId],
    );
    return rows.map((row) => ({ id: row.id, displayName: row.display_name }));
  }

  async counts(tx: EntityManager): Promise<{ principals: number; groups: number; memberships: number }> {
    const [row]: Array<{ principals: number; groups: number; memberships: number }> = await tx.query(
      `SELECT (SELECT count(*)::int FROM ${T}.principals WHERE status <> 'deleted') AS principals,
              (SELECT count(*)::int FROM ${T}.groups WHERE status <> 'deleted') AS groups,
              (SELECT count(*)::int FROM ${T}.memberships) AS memberships`,
    );
    return row;
  }
}

function toPrincipal(row: PrincipalRow): StoredPrincipal {
  return {
    id: row.id,
    type: row.type,
    userName: row.user_name,
    email: row.email,
    displayName: row.display_name,
    givenName: row.given_name,
    familyName: row.family_name,
    title: row.title,
    department: row.department,
    status: row.status,
    managerPrincipalId: row.manager_principal_id,
    managerOktaId: row.manager_okta_id,
    oktaId: row.okta_id,
    oktaStatus: row.okta_status,
    oktaLastUpdated: row.okta_last_updated ? new Date(row.okta_last_updated) : null,
    scimManaged: row.scim_managed,
    scimExternalId: row.scim_external_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toGroup(row: GroupRow): StoredGroup {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    status: row.status,
    oktaId: row.okta_id,
    oktaLastUpdated: row.okta_last_updated ? new Date(row.okta_last_updated) : null,
    scimManaged: row.scim_managed,
    scimExternalId: row.scim_external_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toPair(row: { group_id: string; principal_id: string }): MembershipPair {
  return { groupId: row.group_id, principalId: row.principal_id };
}

/** A stored principal without its timestamps, as the domain compares it. */
export function principalRecord(stored: StoredPrincipal): PrincipalRecord {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { createdAt, updatedAt, ...record } = stored;
  return record;
}

export function groupRecord(stored: StoredGroup): GroupRecord {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { createdAt, updatedAt, ...record } = stored;
  return record;
}
