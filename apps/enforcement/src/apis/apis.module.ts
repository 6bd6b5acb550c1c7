import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ApisHttpController } from './apis.http.controller';
import { ApisRepository } from './apis.repository';
import { ApisService } from './apis.service';

@Module({
  imports: [AuditModule],
  controllers: [ApisHttpController],
  providers: [ApisService, ApisRepository],
  exports: [ApisService],
})
export class ApisModule {}
