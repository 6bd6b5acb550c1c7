import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { EnforcementConfig } from '../config';
import { PolicyPublisher } from '../policy/policy.publisher';
import { PrincipalsService } from '../principals/principals.service';
import { mintApiKey } from './domain/api-key.mint';
import { CreateKeyDto } from './dto/create-key.dto';
import { ApiKeyEntity, ApiKeyStatus } from './keys.entity';
import { KeyError } from './keys.errors';
import { KeyRef, KeysRepository } from './keys.repository';

export interface CreatedKey {
  id: string;
  /** The full key: returned once to its owner, never stored or logged. */
  key: string;
  prefix: string;
}

export interface KeyView {
  id: string;
  prefix: string;
  name: string;
  status: ApiKeyStatus;
  createdAt: string;
  suspendedAt: string | null;
  revokedAt: string | null;
}

@Injectable()
export class KeysService {
  private readonly pepper: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: KeysRepository,
    private readonly principals: PrincipalsService,
    private readonly policy: PolicyPublisher,
    private readonly audit: AuditService,
    config: ConfigService<EnforcementConfig, true>,
  ) {
    this.pepper = config.get('API_KEY_PEPPER', { infer: true });
  }

  async create(dto: CreateKeyDto): Promise<CreatedKey> {
    const minted = mintApiKey(this.pepper);
    const key: ApiKeyEntity = {
      id: randomUUID(),
      principalId: dto.principalId,
      name: dto.name,
      prefix: minted.prefix,
      secretHash: minted.secretHash,
      status: 'active',
      expiresAt: null,
      createdAt: new Date(),
      suspendedAt: null,
      revokedAt: null,
    };
    // A prefix collision (62^12 possibilities) fails the unique index and the request; it is never retried blindly.
    await this.dataSource.transaction(async (tx) => {
      await this.principals.requireActive(tx, dto.principalId);
      await this.keys.insert(tx, key);
      await this.policy.publish(tx, key.principalId);
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'key.created',
        targetType: 'api_key',
        targetId: key.id,
        details: { principalId: key.principalId, prefix: key.prefix, name: key.name },
      });
    });
    return { id: key.id, key: minted.key, prefix: key.prefix };
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

  async list(principalId: string): Promise<{ items: KeyView[] }> {
    const keys = await this.keys.findByPrincipal(principalId);
    return {
      items: keys.map((key) => ({
        id: key.id,
        prefix: key.prefix,
        name: key.name,
        status: key.status,
        createdAt: key.createdAt.toISOString(),
        suspendedAt: key.suspendedAt?.toISOString() ?? null,
        revokedAt: key.revokedAt?.toISOString() ?? null,
      })),
    };
  }
}
