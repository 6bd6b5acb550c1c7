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

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: reviewSchedulerEnvSchema,
      entities: [Grant, Decision],
      migrations: [GrantsAndDecisions1763942400000],
      topics: [TOPICS.accessGrants, TOPICS.reviewDecisions],
      problems: reviewSchedulerProblem,
    }),
    GrantsModule,
    DecisionsModule,
  ],
})
export class AppModule {}
