import { Injectable, OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { EventConsumerHost } from '@attest/messaging';
import { GrantsRepository } from './grants.repository';

/** Keeps the grant read model in step with access.grants.v1. */
@Injectable()
export class GrantsConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumerHost,
    private readonly grants: GrantsRepository,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      topic: TOPICS.accessGrants,
      handle: (event, tx) => this.grants.upsertUnlessOlder(tx, event.data),
    });
  }
}
