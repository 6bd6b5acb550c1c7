import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApisService, ApiView, viewOf } from '../apis/apis.service';
import { ADMIN_ACTOR, AuditService } from '../audit/audit.service';
import { GrantsService } from '../grants/grants.service';
import { KeysService } from '../keys/keys.service';
import { PolicyPublisher } from '../policy/policy.publisher';
import { PrincipalsService } from '../principals/principals.service';

export interface RetiredApi {
  api: ApiView;
  revokedKeyIds: string[];
  closedGrantIds: string[];
  /** Principals whose policy was republished without the retired API's keys and grants. */
  recompiledPrincipalIds: string[];
}

/**
 * Retires an API in one transaction: the gateway answers it 410, keys narrowed to it alone are
 * revoked, every grant on it is closed (revoked, announced on access.grants.v1), the affected
 * principals' policies are recompiled, and the audit log says who, when and why.
 */
@Injectable()
export class ApiRetirementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apis: ApisService,
    private readonly keys: KeysService,
    private readonly grants: GrantsService,
    private readonly principals: PrincipalsService,
    private readonly policy: PolicyPublisher,
    private readonly audit: AuditService,
  ) {}

  async retire(input: { apiId: string; reason: string }): Promise<RetiredApi> {
    return this.dataSource.transaction(async (tx) => {
      // The API's exclusive lock keeps new grants and narrowed keys out (they share-lock it first);
      // then the affected principals, in id order, as every other change to them locks them.
      const api = await this.apis.lockChangeable(tx, { id: input.apiId, action: 'retire' });
      const affected = [...new Set([...(await this.keys.principalsNarrowedOnlyTo(tx, api.id)), ...(await this.grants.holdersOf(tx, api.id))])].sort();
      for (const principalId of affected) await this.principals.lock(tx, principalId);

      const at = new Date();
      const keys = await this.keys.revokeNarrowedOnlyTo(tx, { apiId: api.id, at });
      const grants = await this.grants.closeOnApi(tx, { apiId: api.id, at });
      await this.apis.markRetired(tx, { api, reason: input.reason, at });
      await this.apis.publish(tx, api.id);
      const recompiled = [...new Set([...keys.map((key) => key.principalId), ...grants.map((grant) => grant.principalId)])].sort();
      for (const principalId of recompiled) await this.policy.publish(tx, principalId);

      const trace = { apiId: api.id, retiredAt: at.toISOString() };
      await this.audit.record(tx, {
        actor: ADMIN_ACTOR,
        action: 'api.retired',
        targetType: 'api',
        targetId: api.id,
        reason: input.reason,
        details: {
          ...trace,
          name: api.name,
          basePath: api.basePath,
          revokedKeyIds: keys.map((key) => key.id),
          closedGrantIds: grants.map((grant) => grant.id),
          recompiledPrincipalIds: recompiled,
        },
      });
      for (const key of keys) {
        await this.audit.record(tx, {
          actor: ADMIN_ACTOR,
          action: 'key.revoked',
          targetType: 'api_key',
          targetId: key.id,
          reason: input.reason,
          details: { ...trace, principalId: key.principalId, prefix: key.prefix, cause: 'api.retired' },
        });
      }
      for (const grant of grants) {
        await this.audit.record(tx, {
          actor: ADMIN_ACTOR,
          action: 'grant.revoked',
          targetType: 'grant',
          targetId: grant.id,
          reason: input.reason,
          details: { ...trace, principalId: grant.principalId, cause: 'api.retired' },
        });
      }
      return {
        api: viewOf((await this.apis.require(api.id, tx))),
        revokedKeyIds: keys.map((key) => key.id),
        closedGrantIds: grants.map((grant) => grant.id),
        recompiledPrincipalIds: recompiled,
      };
    });
  }
}
