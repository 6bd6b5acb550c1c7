import { Injectable } from '@nestjs/common';
import { GrantsService, GrantView } from '../grants/grants.service';
import { KeysService, KeyView } from '../keys/keys.service';
import { LatestStateChange } from '../policy/state-changes.repository';
import { PrincipalsService, PrincipalView } from '../principals/principals.service';
import { UsageRepository } from '../usage/usage.repository';

export interface KeyAccess extends KeyView {
  /** Each API the key has called, most recent first. */
  apis: Array<{ apiId: string; lastUsedAt: string; requests: number }>;
}

export interface PrincipalAccess {
  principal: Pick<PrincipalView, 'id' | 'type' | 'displayName' | 'email' | 'status'>;
  /** The latest published policy and when every live replica had applied it. */
  policy: LatestStateChange | null;
  /** The principal's most recent call with any key; null: never seen calling. */
  lastUsedAt: string | null;
  keys: KeyAccess[];
  grants: GrantView[];
}

/** Everything a principal can reach and when it last did: its keys and grants with last-used times. */
@Injectable()
export class PrincipalAccessService {
  constructor(
    private readonly principals: PrincipalsService,
    private readonly keys: KeysService,
    private readonly grants: GrantsService,
    private readonly usage: UsageRepository,
  ) {}

  async access(principalId: string): Promise<PrincipalAccess> {
    const principal = await this.principals.get(principalId);
    const keys = await this.keys.list(principal.id);
    const grants = await this.grants.list(principal.id);
    const usage = await this.usage.usageOfPrincipal(principal.id);
    const byKey = new Map<string, KeyAccess['apis']>();
    for (const row of usage) {
      const apis = byKey.get(row.keyId) ?? [];
      apis.push({ apiId: row.apiId, lastUsedAt: row.lastUsedAt.toISOString(), requests: row.requests });
      byKey.set(row.keyId, apis);
    }
    return {
      principal: {
        id: principal.id,
        type: principal.type,
        displayName: principal.displayName,
        email: principal.email,
        status: principal.status,
      },
      policy: keys.policy,
      // Rows come newest first.
      lastUsedAt: usage[0]?.lastUsedAt.toISOString() ?? null,
      keys: keys.items.map((key) => ({ ...key, apis: byKey.get(key.id) ?? [] })),
      grants: grants.items,
    };
  }
}
