import { Injectable, OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { EventConsumerHost, UnprocessableEventError } from '@attest/messaging';
import { UsageService } from './usage.service';

/** Counts the gateway's granted calls; the host's processed-event record keeps a redelivery from counting twice. */
@Injectable()
export class UsageConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumerHost,
    private readonly usage: UsageService,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      topic: TOPICS.accessLog,
      handle: async (event, tx) => {
        const [rejected] = await this.usage.ingest(tx, [event.data]);
        if (rejected) throw new UnprocessableEventError(rejected.reason);
      },
    });
  }
}
