import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsHttpController } from './principals.http.controller';
import { PrincipalsRepository } from './principals.repository';
import { PrincipalsService } from './principals.service';

@Module({
  imports: [AuditModule, PolicyModule],
  controllers: [PrincipalsHttpController],
  providers: [PrincipalsService, PrincipalsRepository],
  exports: [PrincipalsService],
})
export class PrincipalsModule {}
