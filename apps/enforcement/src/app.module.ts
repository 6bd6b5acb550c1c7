import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { consumerPositionsMigration } from '@attest/messaging';
import { serviceInfrastructure } from '@attest/platform';
import { AccessRestorationModule } from './access-restoration/access-restoration.module';
import { ApiRetirementModule } from './api-retirement/api-retirement.module';
import { ApiEntity } from './apis/apis.entity';
import { ApisModule } from './apis/apis.module';
import { AuditEntryEntity } from './audit/audit.entity';
import { enforcementEnvSchema, SCHEMA, SERVICE } from './config';
import { ConfirmationsModule } from './confirmations/confirmations.module';
import { GatewayReplicaEntity } from './confirmations/gateway-replica.entity';
import { DecisionsModule } from './decisions/decisions.module';
import { GrantEntity } from './grants/grants.entity';
import { GrantsModule } from './grants/grants.module';
import { IdentitiesModule } from './identities/identities.module';
import { ApiKeyEntity } from './keys/keys.entity';
import { KeysModule } from './keys/keys.module';
import { EnforcementSchema1763942400000 } from './migrations/1763942400000-enforcement-schema.migration';
import { IdentityLifecycle1764028800000 } from './migrations/1764028800000-identity-lifecycle.migration';
import { DataPlane1764288000000 } from './migrations/1764288000000-data-plane.migration';
import { MetricsModule } from './metrics/metrics.module';
import { StateChangeEntity } from './policy/state-change.entity';
import { PrincipalAccessModule } from './principal-access/principal-access.module';
import { PrincipalEntity } from './principals/principals.entity';
import { PrincipalsModule } from './principals/principals.module';
import { enforcementProblem } from './problem-mapping';
import { ReconcilerModule } from './reconciler/reconciler.module';
import { KeyUsageEntity } from './usage/key-usage.entity';
import { UsageModule } from './usage/usage.module';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: enforcementEnvSchema,
      entities: [
        ApiEntity,
        PrincipalEntity,
        GrantEntity,
        ApiKeyEntity,
        AuditEntryEntity,
        StateChangeEntity,
        KeyUsageEntity,
        GatewayReplicaEntity,
      ],
      migrations: [EnforcementSchema1763942400000, IdentityLifecycle1764028800000, consumerPositionsMigration(SCHEMA), DataPlane1764288000000],
      topics: [
        TOPICS.policyState,
        TOPICS.catalogState,
        TOPICS.accessGrants,
        TOPICS.auditEvents,
        TOPICS.reviewDecisions,
        TOPICS.identityEvents,
        TOPICS.usageLastUsed,
        TOPICS.gatewayApplied,
      ],
      problems: enforcementProblem,
    }),
    ApisModule,
    PrincipalsModule,
    GrantsModule,
    KeysModule,
    DecisionsModule,
    IdentitiesModule,
    AccessRestorationModule,
    UsageModule,
    ApiRetirementModule,
    PrincipalAccessModule,
    ConfirmationsModule,
    ReconcilerModule,
    MetricsModule,
  ],
})
export class AppModule {}
