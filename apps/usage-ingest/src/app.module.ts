import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { consumerPositionsMigration } from '@attest/messaging';
import { serviceInfrastructure } from '@attest/platform';
import { SCHEMA, SERVICE, usageIngestEnvSchema } from './config';
import { usageIngestProblem } from './problem-mapping';
import { GrantsModule } from './grants/grants.module';
import { Grant } from './grants/grants.entity';
import { UsageModule } from './usage/usage.module';
import { GrantUsage, KeyApiUsage, UsageDay } from './usage/usage.entity';
import { DormancyModule } from './dormancy/dormancy.module';
import { DormancySignal } from './dormancy/dormancy-signal.entity';
import { UsageTables1763942400000 } from './migrations/1763942400000-usage-tables.migration';
import { LastUsedAndDormancy1764201600001 } from './migrations/1764201600001-last-used-and-dormancy.migration';
import { UsageHotUpdates1764201600002 } from './migrations/1764201600002-usage-hot-updates.migration';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: usageIngestEnvSchema,
      entities: [Grant, UsageDay, GrantUsage, KeyApiUsage, DormancySignal],
      migrations: [UsageTables1763942400000, consumerPositionsMigration(SCHEMA), LastUsedAndDormancy1764201600001, UsageHotUpdates1764201600002],
      topics: [TOPICS.accessLogBatches, TOPICS.accessLogColumns, TOPICS.accessLog, TOPICS.accessGrants, TOPICS.usageLastUsed, TOPICS.usageSignals],
      problems: usageIngestProblem,
    }),
    GrantsModule,
    UsageModule,
    DormancyModule,
  ],
})
export class AppModule {}
