import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Quota, RateLimit, TOPICS } from '@attest/contracts';
import { ApisService } from '../apis/apis.service';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { EnforcementConfig } from '../config';
import { PolicyPublisher } from '../policy/policy.publisher';
import { LatestStateChange, StateChangesRepository } from '../policy/state-changes.repository';
import { PrincipalsService } from '../principals/principals.service';
import { UsageRepository } from '../usage/usage.repository';
import { mintApiKey } from './domain/api-key.mint';
import { narrowingProblems } from './domain/key-narrowing';
import { expiryAfterRotation, rotationRefusal } from './domain/key-rotation';
import { CreateKeyDto } from './dto/create-key.dto';
import { RotateKeyDto } from './dto/rotate-key.dto';
import { ApiKeyEntity, ApiKeyStatus } from './keys.entity';
import { KeyError } from './keys.errors';
import { KeyRef, KeysRepository, PrincipalKeyRef } from './keys.repository';

export interface CreatedKey {
  id: string;
  /** The full key: returned once to its owner, never stored or logged. */
  key: string;
  prefix: string;
}

/** 'expired': active, but past its expiry (a rotated key after its grace, for one); the gateway answers it 401. */
export type KeyViewStatus = ApiKeyStatus | 'expired';

export interface KeyView {
  id: string;
  principalId: string;
  prefix: string;
  name: string;
  owner: string | null;
  status: KeyViewStatus;
  expiresAt: string | null;
  apiIds: string[] | null;
  scopes: string[] | null;
  rateLimit: RateLimit | null;
  quota: Quota | null;
  rotatedFrom: string | null;
  replacedBy: string | null;
  createdAt: string;
  suspendedAt: string | null;
  revokedAt: string | null;
  /** When the key last called any API, from usage-ingest's evidence; null: never seen calling. */
  lastUsedAt: string | null;
  /** When every live gateway replica had applied the principal's latest policy (this key as it is now); null: not yet. */
  enforcedAt: string | null;
}

export interface KeyList {
  items: KeyView[];
  /** The principal's latest published policy; null before any. */
  policy: LatestStateChange | null;
}

/** The fields a rotation carries over to the new key. */
type InheritedFields = Pick<ApiKeyEntity, 'principalId' | 'name' | 'owner' | 'apiIds' | 'scopes' | 'rateLimit' | 'quota'>;

@Injectable()
export class KeysService {
  private readonly pepper: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: KeysRepository,
    private readonly principals: PrincipalsService,
    private readonly apis: ApisService,
    private readonly policy: PolicyPublisher,
    private readonly changes: StateChangesRepository,
    private readonly usage: UsageRepository,
    private readonly audit: AuditService,
    config: ConfigService<EnforcementConfig, true>,
  ) {
    this.pepper = config.get('API_KEY_PEPPER', { infer: true });
  }

  async create(dto: CreateKeyDto): Promise<CreatedKey> {
    // A prefix collision (62^12 possibilities) fails the unique index and the request; it is never retried blindly.
    return this.dataSource.transaction(async (tx) => {
      // The APIs' locks before the principal's, the order every grant and key change follows.
      await this.checkNarrowing(tx, { apiIds: dto.apiIds ?? null, scopes: dto.scopes ?? null });
      const principal = await this.principals.requireActive(tx, dto.principalId);
      const { key, created } = await this.mint(tx, {
        principalId: principal.id,
        name: dto.name,
        owner: dto.owner ?? principal.email,
        apiIds: dto.apiIds ?? null,
        scopes: dto.scopes ?? null,
        rateLimit: dto.rateLimit ?? null,
        quota: dto.quota ?? null,
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
        rotatedFrom: null,
      });
      await this.policy.publish(tx, key.principalId);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'key.created',
        targetType: 'api_key',
        targetId: key.id,
        details: auditDetailsOf(key),
      });
      return created;
    });
  }

  /**
   * Mints a new key with the old one's name, owner, narrowing and limits; the old one keeps working
   * only until the grace ends (never past the expiry it had), then the gateway answers it 401.
   */
  async rotate(id: string, dto: RotateKeyDto): Promise<CreatedKey> {
    return this.dataSource.transaction(async (tx) => {
      const found = await this.keys.findById(tx, id);
      if (!found) throw new KeyError('KEYS.NOT_FOUND', `no API key with id ${id}`);
      // Same lock order as creation: a retirement of an API the key is narrowed to cannot interleave.
      await this.apis.lockShared(tx, found.apiIds ?? []);
      await this.principals.requireActive(tx, found.principalId);
      const old = (await this.keys.findForUpdate(tx, id))!;
      const now = new Date();
      const refusal = rotationRefusal(old, now);
      if (refusal) throw new KeyError('KEYS.NOT_ROTATABLE', `API key ${id} ${refusal}`);

      const { key, created } = await this.mint(tx, {
        ...inheritedFrom(old),
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
        rotatedFrom: old.id,
      });
      const oldExpiresAt = expiryAfterRotation({ expiresAt: old.expiresAt, now, graceSeconds: dto.graceSeconds });
      await this.keys.markRotated(tx, { id: old.id, expiresAt: oldExpiresAt, replacedBy: key.id });
      await this.policy.publish(tx, old.principalId);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'key.rotated',
        targetType: 'api_key',
        targetId: old.id,
        details: { principalId: old.principalId, prefix: old.prefix, newKeyId: key.id, newPrefix: key.prefix, graceSeconds: dto.graceSeconds, expiresAt: oldExpiresAt.toISOString() },
      });
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'key.created',
        targetType: 'api_key',
        targetId: key.id,
        details: { ...auditDetailsOf(key), rotatedFrom: old.id },
      });
      return created;
    });
  }

  /** Revokes a key; revoking an already revoked key changes nothing and succeeds. */
  async revoke(id: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const found = await this.keys.findById(tx, id);
      if (!found) throw new KeyError('KEYS.NOT_FOUND', `no API key with id ${id}`);
      // The principal's lock first, as every lifecycle change takes it, so the two never deadlock.
      await this.principals.lock(tx, found.principalId);
      const key = (await this.keys.findForUpdate(tx, id))!;
      if (key.status === 'revoked') return;
      await this.keys.markRevoked(tx, { id, revokedAt: new Date() });
      await this.policy.publish(tx, key.principalId);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'key.revoked',
        targetType: 'api_key',
        targetId: key.id,
        details: { principalId: key.principalId, prefix: key.prefix },
      });
    });
  }

  /** Suspends every active key of a principal inside the caller's transaction; the caller republishes the policy. */
  suspendActive(tx: EntityManager, principalId: string): Promise<KeyRef[]> {
    return this.keys.suspendActive(tx, { principalId, at: new Date() });
  }

  /** Reactivates every suspended key of a principal inside the caller's transaction; the caller republishes the policy. */
  restoreSuspended(tx: EntityManager, principalId: string): Promise<KeyRef[]> {
    return this.keys.restoreSuspended(tx, principalId);
  }

  /** Principals holding a key, not yet revoked, narrowed to the API alone: the ones its retirement changes. */
  principalsNarrowedOnlyTo(tx: EntityManager, apiId: string): Promise<string[]> {
    return this.keys.principalsNarrowedOnlyTo(tx, apiId);
  }

  /** Revokes every key narrowed to the API alone, inside the caller's transaction; the caller republishes the policies. */
  revokeNarrowedOnlyTo(tx: EntityManager, change: { apiId: string; at: Date }): Promise<PrincipalKeyRef[]> {
    return this.keys.revokeNarrowedOnlyTo(tx, change);
  }

  async list(principalId: string): Promise<KeyList> {
    const keys = await this.keys.findByPrincipal(principalId);
    const lastUsed = await this.usage.lastUsedByKey(keys.map((key) => key.id));
    const policy = (await this.changes.latest({ topic: TOPICS.policyState, subjects: [principalId] })).get(principalId) ?? null;
    const now = new Date();
    return {
      items: keys.map((key) => viewOf({ key, now, lastUsedAt: lastUsed.get(key.id) ?? null, enforcedAt: policy?.enforcedAt ?? null })),
      policy,
    };
  }

  private async checkNarrowing(tx: EntityManager, narrowing: { apiIds: string[] | null; scopes: string[] | null }): Promise<void> {
    if (narrowing.apiIds === null && narrowing.scopes === null) return;
    const apis = await this.apis.lockShared(tx, narrowing.apiIds ?? []);
    const catalogScopes = narrowing.apiIds === null ? await this.apis.scopesInCatalog(tx) : new Set<string>();
    const problems = narrowingProblems({ ...narrowing, apis, catalogScopes });
    if (problems.length > 0) {
      throw new KeyError('KEYS.INVALID_NARROWING', problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '), {
        fieldErrors: problems,
      });
    }
  }

  private async mint(
    tx: EntityManager,
    fields: InheritedFields & { expiresAt: Date | null; rotatedFrom: string | null },
  ): Promise<{ key: ApiKeyEntity; created: CreatedKey }> {
    const minted = mintApiKey(this.pepper);
    const key: ApiKeyEntity = {
      id: randomUUID(),
      ...fields,
      prefix: minted.prefix,
      secretHash: minted.secretHash,
      status: 'active',
      replacedBy: null,
      createdAt: new Date(),
      suspendedAt: null,
      revokedAt: null,
    };
    await this.keys.insert(tx, key);
    return { key, created: { id: key.id, key: minted.key, prefix: key.prefix } };
  }
}

function inheritedFrom(key: ApiKeyEntity): InheritedFields {
  return {
    principalId: key.principalId,
    name: key.name,
    owner: key.owner,
    apiIds: key.apiIds,
    scopes: key.scopes,
    rateLimit: key.rateLimit,
    quota: key.quota,
  };
}

function auditDetailsOf(key: ApiKeyEntity): Record<string, unknown> {
  return {
    principalId: key.principalId,
    prefix: key.prefix,
    name: key.name,
    owner: key.owner,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    apiIds: key.apiIds,
    scopes: key.scopes,
    rateLimit: key.rateLimit,
    quota: key.quota,
  };
}

export function viewOf(input: { key: ApiKeyEntity; now: Date; lastUsedAt: Date | null; enforcedAt: string | null }): KeyView {
  const { key } = input;
  const expired = key.status === 'active' && key.expiresAt !== null && key.expiresAt <= input.now;
  return {
    id: key.id,
    principalId: key.principalId,
    prefix: key.prefix,
    name: key.name,
    owner: key.owner,
    status: expired ? 'expired' : key.status,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    apiIds: key.apiIds,
    scopes: key.scopes,
    rateLimit: key.rateLimit,
    quota: key.quota,
    rotatedFrom: key.rotatedFrom,
    replacedBy: key.replacedBy,
    createdAt: key.createdAt.toISOString(),
    suspendedAt: key.suspendedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: input.lastUsedAt?.toISOString() ?? null,
    enforcedAt: input.enforcedAt,
  };
}
