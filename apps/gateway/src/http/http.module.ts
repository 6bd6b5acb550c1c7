import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { PolicyModule } from '../policy/policy.module';
import { ProxyModule } from '../proxy/proxy.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { GatewayHttpServer } from './gateway.http-server';
import { GatewayRequestHandler } from './gateway.request-handler';
import { SystemEndpoints } from './system.endpoints';

@Module({
  imports: [PolicyModule, AccessLogModule, ProxyModule, RateLimitModule],
  providers: [GatewayHttpServer, GatewayRequestHandler, SystemEndpoints],
  exports: [GatewayHttpServer],
})
export class GatewayHttpModule {}
