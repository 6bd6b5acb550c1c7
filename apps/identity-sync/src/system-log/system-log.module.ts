import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IdentitySyncConfig } from '../config';
import { OktaModule } from '../okta/okta.module';
import { SYSTEM_LOG_INTERVAL_MS, SystemLogPoller } from './system-log.poller';
import { SystemLogRepository } from './system-log.repository';

@Module({
  imports: [OktaModule],
  providers: [
    SystemLogRepository,
    SystemLogPoller,
    {
      provide: SYSTEM_LOG_INTERVAL_MS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<IdentitySyncConfig, true>) => config.get('OKTA_LOG_POLL_INTERVAL_MS', { infer: true }),
    },
  ],
  exports: [SystemLogPoller, SystemLogRepository],
})
export class SystemLogModule {}
