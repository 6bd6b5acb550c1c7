import { Module } from '@nestjs/common';
import { AccessRestorationModule } from '../access-restoration/access-restoration.module';
import { AuditModule } from '../audit/audit.module';
import { GrantsModule } from '../grants/grants.module';
import { PrincipalsModule } from '../principals/principals.module';
import { DecisionsConsumer } from './decisions.consumer';
import { DecisionsService } from './decisions.service';

@Module({
  imports: [AccessRestorationModule, AuditModule, GrantsModule, PrincipalsModule],
  providers: [DecisionsConsumer, DecisionsService],
})
export class DecisionsModule {}
