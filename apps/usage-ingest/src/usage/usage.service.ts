import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import type { AccessLogRecord } from '@attest/contracts';
import { UsageIngestConfig } from '../config';
import { KeyCall, usageOf } from './domain/key-call';
import { RecordedCalls, UsageRepository } from './usage.repository';
import { UsageError } from './usage.error';
import { GrantUsageResponse } from './dto/grant-usage.dto';
import { ApiUsageResponse } from './dto/api-usage.dto';

export interface IngestResult extends RecordedCalls {
  /** Positions (in the records given) of those that can never be counted, with why. */
  rejected: Array<{ index: number; reason: string }>;
}

@Injectable()
export class UsageService {
  private readonly publishIntervalMs: number;

  constructor(
    private readonly usage: UsageRepository,
    config: ConfigService<UsageIngestConfig, true>,
  ) {
    this.publishIntervalMs = config.get('LAST_USED_PUBLISH_INTERVAL_MS', { infer: true });
  }

  /** Counts the calls among the records and hands back the ones that can never be counted. */
  async ingest(tx: EntityManager, records: readonly AccessLogRecord[]): Promise<IngestResult> {
    const calls: KeyCall[] = [];
    const rejected: IngestResult['rejected'] = [];
    records.forEach((record, index) => {
      const usage = usageOf(record);
      if (usage.kind === 'call') calls.push(usage.call);
      else if (usage.kind === 'malformed') rejected.push({ index, reason: usage.reason });
    });
    const recorded = await this.usage.recordCalls(tx, { calls, publishIntervalMs: this.publishIntervalMs });
    return { ...recorded, rejected };
  }

  async grantUsage(grantId: string): Promise<GrantUsageResponse> {
    const row = await this.usage.findGrantUsage(grantId);
    if (!row) throw new UsageError('USAGE.GRANT_NOT_FOUND', `grant ${grantId} is not known`);
    return { grantId: row.grantId, lastUsedAt: row.lastUsedAt?.toISOString() ?? null, requests: row.requests };
  }

  async apiUsage(apiId: string): Promise<ApiUsageResponse> {
    const row = await this.usage.findApiUsage(apiId);
    return { apiId: row.apiId, lastUsedAt: row.lastUsedAt?.toISOString() ?? null, requests: row.requests };
  }
}
