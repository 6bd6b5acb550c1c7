import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AccessLogRecord } from '@attest/contracts';
import { GrantedCall, usageOf } from './domain/granted-call';
import { UsageRepository } from './usage.repository';
import { UsageError } from './usage.error';
import { GrantUsageResponse } from './dto/grant-usage.dto';

export interface RejectedRecord {
  record: AccessLogRecord;
  reason: string;
}

@Injectable()
export class UsageService {
  constructor(private readonly usage: UsageRepository) {}

  /** Counts the granted calls among the records and hands back the ones that can never be counted. */
  async ingest(tx: EntityManager, records: readonly AccessLogRecord[]): Promise<RejectedRecord[]> {
    const granted: GrantedCall[] = [];
    const rejected: RejectedRecord[] = [];
    for (const record of records) {
      const usage = usageOf(record);
      if (usage.kind === 'granted') granted.push(usage.call);
      else if (usage.kind === 'malformed') rejected.push({ record, reason: usage.reason });
    }
    await this.usage.addGrantedCalls(tx, granted);
    return rejected;
  }

  async grantUsage(grantId: string): Promise<GrantUsageResponse> {
    const row = await this.usage.findGrantUsage(grantId);
    if (!row) throw new UsageError('USAGE.GRANT_NOT_FOUND', `grant ${grantId} is not known`);
    return { grantId: row.grantId, lastUsedAt: row.lastUsedAt?.toISOString() ?? null, requests: row.requests };
  }
}
