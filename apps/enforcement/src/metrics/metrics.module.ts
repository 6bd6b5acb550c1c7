import { Module } from '@nestjs/common';
import { EnforcementMetrics } from './enforcement.metrics';
import { MetricsHttpController } from './metrics.http.controller';

@Module({ controllers: [MetricsHttpController], providers: [EnforcementMetrics], exports: [EnforcementMetrics] })
export class MetricsModule {}
