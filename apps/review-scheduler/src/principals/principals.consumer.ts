import { Injectable, OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { EventConsumerHost } from '@attest/messaging';
import { PrincipalsService } from './principals.service';

/** Keeps the principal and group-membership read model in step with identity.events.v1. */
@Injectable()
export class PrincipalsConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumerHost,
    private readonly principals: PrincipalsService,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      topic: TOPICS.identityEvents,
      handle: (event, tx) => this.principals.apply(tx, event),
    });
  }
}
