import { Inject, Injectable } from '@nestjs/common';
import { Producer } from 'kafkajs';
import type { Logger as PinoLogger } from 'pino';
import { AccessLogRecord, TOPICS } from '@attest/contracts';
import { BatchingPublisher, KAFKA_PRODUCER } from '@attest/messaging';
import { GATEWAY_LOGGER } from '../logging/gateway-logger';

/** One access-log record per answered request, batched to `gateway.access-log.v1` off the request path. */
@Injectable()
export class AccessLogService {
  private readonly publisher: BatchingPublisher<typeof TOPICS.accessLog>;

  constructor(
    @Inject(KAFKA_PRODUCER) producer: Producer,
    @Inject(GATEWAY_LOGGER) private readonly logger: PinoLogger,
  ) {
    this.publisher = new BatchingPublisher({ producer, topic: TOPICS.accessLog, source: 'gateway', maxBatch: 500, lingerMs: 50 });
  }

  get droppedCount(): number {
    return this.publisher.droppedCount;
  }

  /** Never throws and never waits: a record that cannot be built is logged, and the request is unaffected. */
  record(record: AccessLogRecord): void {
    try {
      this.publisher.publish(record.keyId ?? record.requestId, record);
    } catch (error) {
      this.logger.warn({ requestId: record.requestId, err: error }, 'access-log record rejected');
    }
  }

  /** Sends what is buffered; called on shutdown after the last request finished. */
  async flush(): Promise<void> {
    await this.publisher.flush();
  }
}
