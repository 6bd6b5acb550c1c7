import { Module } from '@nestjs/common';
import { ApisModule } from '../apis/apis.module';
import { AuditModule } from '../audit/audit.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PolicyModule } from '../policy/policy.module';
import { PrincipalsModule } from '../principals/principals.module';
import { ReconcilerRepository } from './reconciler.repository';
import { ReconcilerService } from './reconciler.service';
import { TopicSnapshotReader } from './topic-snapshot.reader';

@Module({
  imports: [ApisModule, AuditModule, MetricsModule, PolicyModule, PrincipalsModule],
  providers: [ReconcilerService, ReconcilerRepository, TopicSnapshotReader],
  exports: [ReconcilerService],
})
export class ReconcilerModule {}
