import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables every service needs for reliable messaging, in the service's own schema:
 * `outbox` (written in the same transaction as the change it announces) and `processed_events`
 * (written in the same transaction as a consumed event's effects, so a redelivery is applied once).
 */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  const name = `MessagingTables1763856000000`;
  return class MessagingTables implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".outbox (
          seq bigserial PRIMARY KEY,
          event_id uuid NOT NULL,
          topic text NOT NULL,
          message_key text NOT NULL,
          envelope jsonb,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
      await runner.query(`
        CREATE TABLE "${schema}".processed_events (
          consumer text NOT NULL,
          event_id uuid NOT NULL,
          processed_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT "PK_processed_events" PRIMARY KEY (consumer, event_id)
        )`);
      await runner.query(`CREATE INDEX "IDX_processed_events_at" ON "${schema}".processed_events (processed_at)`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".processed_events`);
      await runner.query(`DROP TABLE "${schema}".outbox`);
    }
  };
}

/** Where each published event landed (partition, offset), kept by the relay for enforcement confirmations. */
export function publishedOffsetsMigration(schema: string): new () => MigrationInterface {
  return class PublishedOffsets implements MigrationInterface {
    name = 'PublishedOffsets1764115200000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".outbox_published (
          event_id uuid PRIMARY KEY,
          topic text NOT NULL,
          message_key text NOT NULL,
          kafka_partition int NOT NULL,
          kafka_offset bigint NOT NULL,
          published_at timestamptz NOT NULL DEFAULT now()
        )`);
      await runner.query(
        `CREATE INDEX "IDX_outbox_published_position" ON "${schema}".outbox_published (topic, kafka_partition, kafka_offset)`,
      );
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".outbox_published`);
    }
  };
}

/** Every migration of the messaging tables, in order. */
export function messagingMigrations(schema: string): Array<new () => MigrationInterface> {
  return [messagingTablesMigration(schema), publishedOffsetsMigration(schema)];
}
