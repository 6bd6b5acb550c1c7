import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IdentitySyncConfig } from '../config';
import { OktaModule } from '../okta/okta.module';
import { EVENT_HOOK_SETTINGS, EventHookGuard, EventHookSettings } from './event-hook.guard';
import { EventHooksHttpController } from './event-hooks.http.controller';
import { EventHooksRepository } from './event-hooks.repository';
import { EventHooksService } from './event-hooks.service';
import { EventHooksWorker } from './event-hooks.worker';

@Module({
  imports: [OktaModule],
  controllers: [EventHooksHttpController],
  providers: [
    {
      provide: EVENT_HOOK_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<IdentitySyncConfig, true>): EventHookSettings => ({
        header: config.get('OKTA_EVENT_HOOK_HEADER', { infer: true }),
        // Deliveries are applied by reading Okta, so hooks are only on when Okta itself is configured.
        secret: config.get('OKTA_ORG_URL', { infer: true }) ? (config.get('OKTA_EVENT_HOOK_SECRET', { infer: true }) ?? null) : null,
        workerIntervalMs: config.get('OKTA_EVENT_HOOK_WORKER_INTERVAL_MS', { infer: true }),
      }),
    },
    EventHookGuard,
    EventHooksRepository,
    EventHooksService,
    EventHooksWorker,
  ],
  exports: [EventHooksService, EventHooksWorker],
})
export class EventHooksModule {}
