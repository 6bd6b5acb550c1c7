import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { KeysHttpController } from './keys.http.controller';
import { KeysRepository } from './keys.repository';
import { KeysService } from './keys.service';

@Module({
  imports: [AuditModule, PolicyModule, PrincipalsModule],
  controllers: [KeysHttpController],
  providers: [KeysService, KeysRepository],
  exports: [KeysService],
})
export class KeysModule {}
