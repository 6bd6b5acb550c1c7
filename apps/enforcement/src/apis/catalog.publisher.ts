import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CatalogState, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';
import { StateChangesRepository } from '../policy/state-changes.repository';
import { ApisRepository } from './apis.repository';
import { catalogStateOf } from './domain/catalog-state';

/**
 * The one place an API's CatalogState is published: after any change to an API it bumps the
 * version and writes the full state to the outbox in the transaction of the change, logging it so
 * its enforcement can be confirmed.
 */
@Injectable()
export class CatalogPublisher {
  constructor(
    private readonly apis: ApisRepository,
    private readonly outbox: OutboxWriter,
    private readonly changes: StateChangesRepository,
  ) {}

  /** `above`: a version the new one must exceed (the reconciler's repair of a topic ahead of the database). */
  async publish(tx: EntityManager, apiId: string, options: { above?: number } = {}): Promise<CatalogState> {
    const api = await this.apis.bumpVersion(tx, { id: apiId, above: options.above });
    // Callers have already found the API in this transaction; a miss is a bug.
    if (!api) throw new Error(`cannot publish the catalog state of unknown API ${apiId}`);
    const state = catalogStateOf(api);
    const envelope = await this.outbox.add(tx, { topic: TOPICS.catalogState, key: api.id, data: state });
    await this.changes.record(tx, { eventId: envelope.id, topic: TOPICS.catalogState, subject: api.id, version: state.version });
    return state;
  }
}
