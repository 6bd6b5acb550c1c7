import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PolicyModule } from '../policy/policy.module';
import { UsageModule } from '../usage/usage.module';
import { ApisHttpController } from './apis.http.controller';
import { ApisRepository } from './apis.repository';
import { ApisService } from './apis.service';
import { CatalogPublisher } from './catalog.publisher';

@Module({
  imports: [AuditModule, PolicyModule, UsageModule],
  controllers: [ApisHttpController],
  providers: [ApisService, ApisRepository, CatalogPublisher],
  exports: [ApisService],
})
export class ApisModule {}
