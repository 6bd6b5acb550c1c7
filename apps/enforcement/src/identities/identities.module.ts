import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { GrantsModule } from '../grants/grants.module';
import { KeysModule } from '../keys/keys.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { IdentitiesConsumer } from './identities.consumer';
import { IdentitiesService } from './identities.service';

@Module({
  imports: [AuditModule, GrantsModule, KeysModule, PolicyModule, PrincipalsModule],
  providers: [IdentitiesConsumer, IdentitiesService],
})
export class IdentitiesModule {}
