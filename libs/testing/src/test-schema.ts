import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Kafka, KafkaConfig } from 'kafkajs';
import { runMigrationsLocked } from '@attest/persistence';
import { TEST_DATABASE_URL } from './integration.global-setup';

/** A throwaway schema in the test database, migrated with the given migrations. */
export async function createTestSchema(options: {
  prefix: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: (schema: string) => Function[];
}): Promise<{ dataSource: DataSource; schema: string; url: string; drop: () => Promise<void> }> {
  const schema = `${options.prefix}_${randomUUID().slice(0, 8)}`;
  const url = process.env.DATABASE_URL ?? TEST_DATABASE_URL;
  const dataSource = await new DataSource({
    type: 'postgres',
    url,
    schema,
    migrations: options.migrations(schema),
    migrationsTableName: 'migrations',
    synchronize: false,
  }).initialize();
  await runMigrationsLocked(dataSource, schema);
  return {
    dataSource,
    schema,
    url,
    drop: async () => {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dataSource.destroy();
    },
  };
}

/** A client of the test broker; `overrides` change its other settings (its retries, its log level). */
export function testKafka(clientId = 'attest-test', overrides: Omit<KafkaConfig, 'brokers' | 'clientId'> = {}): Kafka {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  return new Kafka({ clientId, brokers, logLevel: 1, ...overrides });
}
