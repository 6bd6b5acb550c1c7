import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { serviceInfrastructure } from '@attest/platform';
import { identitySyncEnvSchema, SCHEMA, SERVICE } from './config';
import { identitySyncProblem } from './problem-mapping';
import { SyncModule } from './sync/sync.module';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: identitySyncEnvSchema,
      // Principals, groups and sync cursors arrive with the Okta/SCIM work; only the messaging tables exist so far.
      entities: [],
      migrations: [],
      topics: [TOPICS.identityEvents],
      problems: identitySyncProblem,
    }),
    SyncModule,
  ],
})
export class AppModule {}
