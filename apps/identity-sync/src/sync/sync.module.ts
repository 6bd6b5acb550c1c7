import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IdentitySyncConfig } from '../config';
import { DirectoryModule } from '../directory/directory.module';
import { EventHooksModule } from '../event-hooks/event-hooks.module';
import { OktaModule } from '../okta/okta.module';
import { SystemLogModule } from '../system-log/system-log.module';
import { FullSyncRunner } from './full-sync.runner';
import { SyncHttpController } from './sync.http.controller';
import { SyncRunsRepository } from './sync-runs.repository';
import { SyncStatusQuery } from './sync-status.query';
import { FULL_SYNC_SCHEDULE, FullSyncSchedule, SyncService } from './sync.service';

@Module({
  imports: [DirectoryModule, OktaModule, SystemLogModule, EventHooksModule],
  controllers: [SyncHttpController],
  providers: [
    {
      provide: FULL_SYNC_SCHEDULE,
      inject: [ConfigService],
      useFactory: (config: ConfigService<IdentitySyncConfig, true>): FullSyncSchedule => ({
        onStart: config.get('OKTA_SYNC_ON_START', { infer: true }),
        intervalMs: config.get('OKTA_FULL_SYNC_INTERVAL_MS', { infer: true }),
      }),
    },
    FullSyncRunner,
    SyncRunsRepository,
    SyncService,
    SyncStatusQuery,
  ],
  exports: [SyncService, FullSyncRunner],
})
export class SyncModule {}
