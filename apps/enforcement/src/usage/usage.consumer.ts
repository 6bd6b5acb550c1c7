import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { BatchConsumers, BatchEventConsumer } from '@attest/messaging';
import { UsageRepository } from './usage.repository';

/**
 * usage.last-used.v1 → enforcement's own last-use read model (keys, grants, consumers, unused APIs).
 * A batch consumer of its own group: its stored positions make redelivery harmless without a
 * processed-id row per record, and each batch is one set-based upsert.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: BatchEventConsumer<typeof TOPICS.usageLastUsed>;

  constructor(consumers: BatchConsumers, usage: UsageRepository) {
    this.consumer = consumers.create({
      name: 'usage-last-used',
      handler: {
        topic: TOPICS.usageLastUsed,
        handle: (events, tx) =>
          usage.record(
            tx,
            events.map((e) => e.event.data),
          ),
      },
    });
  }

  // The messaging module is global, so its start-up (topics, the producer dead letters need) has run before this.
  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  // Runs before the messaging module's shutdown disconnects the producer that dead letters need.
  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
