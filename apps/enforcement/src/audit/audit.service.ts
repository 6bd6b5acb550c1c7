import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditEvent, TOPICS } from '@attest/contracts';
import { OutboxWriter } from '@attest/messaging';

/** The actor recorded for changes made through the admin API. */
export const ADMIN_ACTOR = 'admin';

export interface AuditRecord {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** Records who changed what, in the transaction of the change itself, locally and on audit.events.v1. */
@Injectable()
export class AuditService {
  constructor(private readonly outbox: OutboxWriter) {}

  async record(tx: EntityManager, record: AuditRecord): Promise<void> {
    const event: AuditEvent = {
      actor: record.actor,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId,
      reason: record.reason ?? null,
      details: record.details ?? {},
    };
    await tx.query(
      `INSERT INTO enforcement.audit_log (id, actor, action, target_type, target_id, reason, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [randomUUID(), event.actor, event.action, event.targetType, event.targetId, event.reason, JSON.stringify(event.details)],
    );
    await this.outbox.add(tx, { topic: TOPICS.auditEvents, key: event.targetId, data: event });
  }
}
