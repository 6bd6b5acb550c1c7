import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { serviceInfrastructure } from '@attest/platform';
import { SCHEMA, SERVICE, usageIngestEnvSchema } from './config';
import { usageIngestProblem } from './problem-mapping';
import { GrantsModule } from './grants/grants.module';
import { Grant } from './grants/grants.entity';
import { UsageModule } from './usage/usage.module';
import { GrantUsage, UsageDay } from './usage/usage.entity';
import { UsageTables1763942400000 } from './migrations/1763942400000-usage-tables.migration';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: usageIngestEnvSchema,
      entities: [Grant, UsageDay, GrantUsage],
      migrations: [UsageTables1763942400000],
      topics: [TOPICS.accessLog, TOPICS.accessGrants],
      problems: usageIngestProblem,
    }),
    GrantsModule,
    UsageModule,
  ],
})
export class AppModule {}
