import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { AuditModule } from '../audit/audit.module';
import { GrantsModule } from '../grants/grants.module';
import { KeysModule } from '../keys/keys.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { ApiRetirementHttpController } from './api-retirement.http.controller';
import { ApiRetirementService } from './api-retirement.service';

@Module({
  imports: [ApisModule, AuditModule, GrantsModule, KeysModule, PolicyModule, PrincipalsModule],
  controllers: [ApiRetirementHttpController],
  providers: [ApiRetirementService],
})
export class ApiRetirementModule {}
