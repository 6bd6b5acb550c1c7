import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { serviceInfrastructure } from '@attest/platform';
import { AccessRestorationModule } from './access-restoration/access-restoration.module';
import { ApiEntity } from './apis/apis.entity';
import { ApisModule } from './apis/apis.module';
import { AuditEntryEntity } from './audit/audit.entity';
import { enforcementEnvSchema, SCHEMA, SERVICE } from './config';
import { DecisionsModule } from './decisions/decisions.module';
import { GrantEntity } from './grants/grants.entity';
import { GrantsModule } from './grants/grants.module';
import { IdentitiesModule } from './identities/identities.module';
import { ApiKeyEntity } from './keys/keys.entity';
import { KeysModule } from './keys/keys.module';
import { EnforcementSchema1763942400000 } from './migrations/1763942400000-enforcement-schema.migration';
import { IdentityLifecycle1764028800000 } from './migrations/1764028800000-identity-lifecycle.migration';
import { PrincipalEntity } from './principals/principals.entity';
import { PrincipalsModule } from './principals/principals.module';
import { enforcementProblem } from './problem-mapping';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: enforcementEnvSchema,
      entities: [ApiEntity, PrincipalEntity, GrantEntity, ApiKeyEntity, AuditEntryEntity],
      migrations: [EnforcementSchema1763942400000, IdentityLifecycle1764028800000],
      topics: [
        TOPICS.policyState,
        TOPICS.catalogState,
        TOPICS.accessGrants,
        TOPICS.auditEvents,
        TOPICS.reviewDecisions,
        TOPICS.identityEvents,
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
  ],
})
export class AppModule {}
