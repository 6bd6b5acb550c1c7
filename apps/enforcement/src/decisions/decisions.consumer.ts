import { Injectable, OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { EventConsumerHost } from '@attest/messaging';
import { DecisionsService } from './decisions.service';

/** review.decisions.v1 → grant revocations; the host makes each event apply once, in one transaction. */
@Injectable()
export class DecisionsConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumerHost,
    private readonly decisions: DecisionsService,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      topic: TOPICS.reviewDecisions,
      handle: (event, tx) => this.decisions.apply(tx, event.data),
    });
  }
}
