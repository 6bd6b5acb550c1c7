import { Module } from '@nestjs/common';
import { EnforcementMetrics } from './enforcement.metrics';

@Module({ providers: [EnforcementMetrics], exports: [EnforcementMetrics] })
export class MetricsModule {}
