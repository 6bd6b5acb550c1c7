import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { BatchConsumers, BatchEventConsumer } from '@attest/messaging';
import { ConfirmationsService } from './confirmations.service';

/**
 * gateway.applied.v1 → gateway replicas and the confirmation of what they applied. Every replica
 * beats every ~2 s, so this is a batch consumer of its own group: stored positions make redelivery
 * harmless without a processed-id row per heartbeat.
 */
@Injectable()
export class HeartbeatsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: BatchEventConsumer<typeof TOPICS.gatewayApplied>;

  constructor(consumers: BatchConsumers, confirmations: ConfirmationsService) {
    this.consumer = consumers.create({
      name: 'gateway-applied',
      fetch: { maxWaitTimeInMs: 100 },
      handler: {
        topic: TOPICS.gatewayApplied,
        // One after the other, in the order the replicas sent them: each confirms at its own time.
        handle: async (events, tx) => {
          for (const { event } of events) await confirmations.applyHeartbeat(tx, event.data);
        },
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
