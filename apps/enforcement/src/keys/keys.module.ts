import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { AuditModule } from '../audit/audit.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { UsageModule } from '../usage/usage.module';
import { KeysHttpController } from './keys.http.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';

@Module({
  imports: [ApisModule, AuditModule, PolicyModule, PrincipalsModule, UsageModule],
  controllers: [KeysHttpController],
  providers: [KeysService, KeysRepository],
  exports: [KeysService],
})
export class KeysModule {}
