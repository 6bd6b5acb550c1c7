import { DynamicModule, Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, MixedList, EntitySchema } from 'typeorm';
import { z } from 'zod';
import { Topic } from '@attest/contracts';
import { MessagingModule, messagingMigrations, parseBrokers } from '@attest/messaging';
import { runMigrationsLocked, serviceDataSourceOptions } from '@attest/persistence';
import { baseEnvSchema, loadConfig, withAdminToken } from './config';
import { loggingModule } from './logging';
import { AdminAuthModule } from './admin-auth.module';
import { ServiceHealthModule } from './health';
import { ServiceMetricsModule } from './metrics';
import { ProblemDetailsFilter, ProblemMapping } from './problem';
import { DomainError } from './errors';

export type BaseConfig = z.infer<typeof baseEnvSchema> & { ATTEST_ADMIN_TOKEN: string };

export interface ServiceModuleOptions<S extends z.ZodObject> {
  /** Service name: logger name, Kafka client id, consumer group `attest.<service>`. */
  service: string;
  /** The service's own Postgres schema. */
  schema: string;
  /** The service's env schema; it should extend `baseEnvSchema`. */
  env: S;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Array<Function>;
  topics: readonly Topic[];
  /** The service's exhaustive mapping from its domain error codes to problem types. */
  problems: (error: DomainError) => ProblemMapping;
}

/**
 * Everything a Postgres-backed Attest service shares: validated config, logging, its schema
 * migrated under a lock at start, messaging (outbox, consumer group, DLQ), admin auth, health,
 * Prometheus metrics at `/metrics` and the problem+json filter. An app module imports this and adds its features.
 */
export function serviceInfrastructure<S extends z.ZodObject>(options: ServiceModuleOptions<S>): Array<DynamicModule | Promise<DynamicModule>> {
  const validate = (env: Record<string, unknown>) => withAdminToken(loadConfig(options.env, env) as BaseConfig);
  const level = (process.env.LOG_LEVEL as string | undefined) ?? 'info';
  return [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, validate }),
    loggingModule(options.service, level),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<BaseConfig, true>) =>
        serviceDataSourceOptions({
          url: config.get('DATABASE_URL', { infer: true }),
          schema: options.schema,
          entities: options.entities,
          migrations: [...messagingMigrations(options.schema), ...options.migrations],
          applicationName: options.service,
        }),
      dataSourceFactory: async (dataSourceOptions) => {
        const dataSource = await new DataSource(dataSourceOptions!).initialize();
        await runMigrationsLocked(dataSource, options.schema);
        return dataSource;
      },
    }),
    MessagingModule.forService({
      service: options.service,
      schema: options.schema,
      topics: options.topics,
      inject: [ConfigService],
      connection: (config: ConfigService<BaseConfig, true>) => ({
        brokers: parseBrokers(config.get('KAFKA_BROKERS', { infer: true })),
        databaseUrl: config.get('DATABASE_URL', { infer: true }),
        groupPrefix: config.get('KAFKA_GROUP_PREFIX', { infer: true }),
        fromBeginning: config.get('KAFKA_CONSUMER_START', { infer: true }) === 'earliest',
      }),
    }),
    { module: AdminAuthModule as Type<unknown>, global: true },
    { module: ServiceHealthModule as Type<unknown> },
    { module: ServiceMetricsModule as Type<unknown> },
    {
      module: class ProblemFilterModule {},
      providers: [{ provide: APP_FILTER, useValue: new ProblemDetailsFilter(options.problems) }],
    },
  ];
}
