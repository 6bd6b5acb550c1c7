import { Injectable, OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { EventConsumerHost } from '@attest/messaging';
import { IdentitiesService } from './identities.service';

/** identity.events.v1 → principals and their lifecycle; the host makes each event apply once, in one transaction. */
@Injectable()
export class IdentitiesConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumerHost,
    private readonly identities: IdentitiesService,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      topic: TOPICS.identityEvents,
      handle: (event, tx) => this.identities.apply(tx, event),
    });
  }
}
