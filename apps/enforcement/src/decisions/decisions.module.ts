import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { GrantsModule } from '../grants/grants.module';
import { DecisionsConsumer } from './decisions.consumer';
import { DecisionsService } from './decisions.service';

@Module({
  imports: [AuditModule, GrantsModule],
  providers: [DecisionsConsumer, DecisionsService],
})
export class DecisionsModule {}
