import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { GatewayHeartbeat } from './gateway-heartbeat.service';

@Module({ imports: [PolicyModule], providers: [GatewayHeartbeat], exports: [GatewayHeartbeat] })
export class HeartbeatModule {}
