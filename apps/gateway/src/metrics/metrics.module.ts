import { Global, Module } from '@nestjs/common';
import { ServiceMetrics } from '@attest/platform';
import { GatewayMetrics } from './gateway.metrics';

@Global()
@Module({ providers: [ServiceMetrics, GatewayMetrics], exports: [ServiceMetrics, GatewayMetrics] })
export class MetricsModule {}
