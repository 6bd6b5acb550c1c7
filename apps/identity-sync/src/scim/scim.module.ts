import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DEV_SCIM_BEARER_TOKEN, IdentitySyncConfig } from '../config';
import { DirectoryModule } from '../directory/directory.module';
import { SCIM_BEARER_TOKEN, ScimAuthGuard } from './scim-auth.guard';
import { ScimDiscoveryHttpController } from './scim-discovery.http.controller';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ScimGroupsHttpController } from './scim-groups.http.controller';
import { ScimGroupsService } from './scim-groups.service';
import { ScimJsonBodyMiddleware } from './scim-http.support';
import { ScimUsersHttpController } from './scim-users.http.controller';
import { ScimUsersService } from './scim-users.service';

@Module({
  imports: [DirectoryModule],
  controllers: [ScimUsersHttpController, ScimGroupsHttpController, ScimDiscoveryHttpController],
  providers: [
    {
      provide: SCIM_BEARER_TOKEN,
      inject: [ConfigService],
      // Production refuses to start without a token of its own (config.ts); elsewhere a well-known one keeps setup simple.
      useFactory: (config: ConfigService<IdentitySyncConfig, true>) => config.get('SCIM_BEARER_TOKEN', { infer: true }) ?? DEV_SCIM_BEARER_TOKEN,
    },
    ScimAuthGuard,
    ScimExceptionFilter,
    ScimUsersService,
    ScimGroupsService,
  ],
})
export class ScimModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ScimJsonBodyMiddleware).forRoutes(ScimUsersHttpController, ScimGroupsHttpController);
  }
}
