import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { ConfirmationsHttpController } from './confirmations.http.controller';
import { ConfirmationsService } from './confirmations.service';
import { HeartbeatsConsumer } from './heartbeats.consumer';
import { HeartbeatsRepository } from './heartbeats.repository';

@Module({
  imports: [ApisModule, MetricsModule, PolicyModule, PrincipalsModule],
  controllers: [ConfirmationsHttpController],
  providers: [ConfirmationsService, HeartbeatsConsumer, HeartbeatsRepository],
})
export class ConfirmationsModule {}
