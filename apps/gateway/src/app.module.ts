import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { loadGatewayConfig } from './config';
import { AccessLogModule } from './access-log/access-log.module';
import { GatewayHttpModule } from './http/http.module';
import { KafkaModule } from './kafka/kafka.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PolicyModule } from './policy/policy.module';
import { ProxyModule } from './proxy/proxy.module';
import { HeartbeatModule } from './heartbeat/heartbeat.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { GatewayLifecycle } from './gateway.lifecycle';

/**
 * The gateway as a Nest application context (no Nest HTTP adapter): DI, validated config and
 * lifecycle. `forRoot` reads the environment when called, so each instance gets the env of its time.
 */
@Module({})
export class AppModule {
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, validate: (env) => loadGatewayConfig(env) }),
        LoggingModule,
        KafkaModule,
        MetricsModule,
        PolicyModule,
        AccessLogModule,
        ProxyModule,
        RateLimitModule,
        HeartbeatModule,
        GatewayHttpModule,
      ],
      providers: [GatewayLifecycle],
    };
  }
}
