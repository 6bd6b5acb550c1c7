import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { AuditModule } from '../audit/audit.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { UsageModule } from '../usage/usage.module';
import { GrantsHttpController } from './grants.http.controller';
import { GrantsRepository } from './grants.repository';
import { GrantsService } from './grants.service';

@Module({
  imports: [ApisModule, AuditModule, PolicyModule, PrincipalsModule, UsageModule],
  controllers: [GrantsHttpController],
  providers: [GrantsService, GrantsRepository],
  exports: [GrantsService],
})
export class GrantsModule {}
