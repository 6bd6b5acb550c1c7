import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Logger as PinoLogger } from 'pino';
import { GatewayConfig } from '../config';
import { createGatewayLogger, GATEWAY_LOGGER, NestPinoLogger } from './gateway-logger';

@Global()
@Module({
  providers: [
    {
      provide: GATEWAY_LOGGER,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayConfig, true>) => createGatewayLogger(config.get('LOG_LEVEL', { infer: true })),
    },
    { provide: NestPinoLogger, inject: [GATEWAY_LOGGER], useFactory: (logger: PinoLogger) => new NestPinoLogger(logger) },
  ],
  exports: [GATEWAY_LOGGER, NestPinoLogger],
})
export class LoggingModule {}
