import { randomUUID } from 'node:crypto';

/**
 * Runs before each integration or e2e test file: its services join fresh consumer groups that start
 * at the end of the shared topics, so a suite sees only the events of its own run, never the history
 * that earlier suites (or a 10,000-user sync) left on the broker.
 */
process.env.KAFKA_GROUP_PREFIX = `${process.env.KAFKA_GROUP_PREFIX ?? 'attest-test'}-${randomUUID().slice(0, 8)}`;
process.env.KAFKA_CONSUMER_START = 'latest';
