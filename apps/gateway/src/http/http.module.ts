import { Module } from '@nestjs/common';
import { AccessLogModule } from '../access-log/access-log.module';
import { PolicyModule } from '../policy/policy.module';
import { ProxyModule } from '../proxy/proxy.module';
import { GatewayHttpServer } from './gateway.http-server';
import { GatewayRequestHandler } from './gateway.request-handler';
import { SystemEndpoints } from './system.endpoints';

@Module({
  imports: [PolicyModule, AccessLogModule, ProxyModule],
  providers: [GatewayHttpServer, GatewayRequestHandler, SystemEndpoints],
  exports: [GatewayHttpServer],
})
export class GatewayHttpModule {}
