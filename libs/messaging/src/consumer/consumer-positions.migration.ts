import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `consumer_positions`: the next offset a batch consumer will apply per (consumer, topic, partition),
 * written in the same transaction as the batch's effects so a redelivered record is skipped, not
 * re-applied, without keeping one processed-id row per record.
 */
export function consumerPositionsMigration(schema: string): new () => MigrationInterface {
  return class ConsumerPositions implements MigrationInterface {
    name = 'ConsumerPositions1764201600000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE "${schema}".consumer_positions (
          consumer text NOT NULL,
          topic text NOT NULL,
          partition int NOT NULL,
          next_offset bigint NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT "PK_consumer_positions" PRIMARY KEY (consumer, topic, partition)
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".consumer_positions`);
    }
  };
}
