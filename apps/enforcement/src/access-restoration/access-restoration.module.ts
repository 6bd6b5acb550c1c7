import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { GrantsModule } from '../grants/grants.module';
import { KeysModule } from '../keys/keys.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { AccessRestorationHttpController } from './access-restoration.http.controller';
import { AccessRestorationService } from './access-restoration.service';

@Module({
  imports: [AuditModule, GrantsModule, KeysModule, PolicyModule, PrincipalsModule],
  controllers: [AccessRestorationHttpController],
  providers: [AccessRestorationService],
  exports: [AccessRestorationService],
})
export class AccessRestorationModule {}
