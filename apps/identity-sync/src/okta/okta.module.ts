import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IdentitySyncConfig } from '../config';
import { DirectoryModule } from '../directory/directory.module';
import { OktaClient } from './okta.client';
import { OktaEventApplier } from './okta-event.applier';

@Module({
  imports: [DirectoryModule],
  providers: [
    {
      provide: OktaClient,
      inject: [ConfigService],
      useFactory: (config: ConfigService<IdentitySyncConfig, true>) => {
        const orgUrl = config.get('OKTA_ORG_URL', { infer: true });
        // Okta is optional: without an org URL the client reports itself disabled and every Okta feature stays off.
        if (!orgUrl) return new OktaClient(null);
        return new OktaClient({
          orgUrl: orgUrl.replace(/\/+$/, ''),
          token: config.get('OKTA_API_TOKEN', { infer: true })!,
          maxRetries: config.get('OKTA_MAX_RETRIES', { infer: true }),
          reserve: config.get('OKTA_RATE_LIMIT_RESERVE', { infer: true }),
          usersPageSize: config.get('OKTA_USERS_PAGE_SIZE', { infer: true }),
          groupsPageSize: config.get('OKTA_GROUPS_PAGE_SIZE', { infer: true }),
          membersPageSize: config.get('OKTA_MEMBERS_PAGE_SIZE', { infer: true }),
        });
      },
    },
    OktaEventApplier,
  ],
  exports: [OktaClient, OktaEventApplier],
})
export class OktaModule {}
