import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { serviceInfrastructure } from '@attest/platform';
import { reviewSchedulerEnvSchema, SCHEMA, SERVICE } from './config';
import { reviewSchedulerProblem } from './problem-mapping';
import { GrantsModule } from './grants/grants.module';
import { Grant } from './grants/grants.entity';
import { DecisionsModule } from './decisions/decisions.module';
import { Decision } from './decisions/decisions.entity';
import { GrantsAndDecisions1763942400000 } from './migrations/1763942400000-grants-and-decisions.migration';
import { PrincipalsReadModel1764028800000 } from './migrations/1764028800000-principals-read-model.migration';
import { PrincipalsModule } from './principals/principals.module';
import { Principal } from './principals/principals.entity';
import { GroupMembership } from './principals/group-membership.entity';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: reviewSchedulerEnvSchema,
      entities: [Grant, Decision, Principal, GroupMembership],
      migrations: [GrantsAndDecisions1763942400000, PrincipalsReadModel1764028800000],
      topics: [TOPICS.accessGrants, TOPICS.reviewDecisions, TOPICS.identityEvents],
      problems: reviewSchedulerProblem,
    }),
    GrantsModule,
    DecisionsModule,
    PrincipalsModule,
  ],
})
export class AppModule {}
