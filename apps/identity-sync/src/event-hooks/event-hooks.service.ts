import { Injectable } from '@nestjs/common';
import { EventHookDeliveryDto } from './dto/event-hook.dto';
import { EventHooksRepository } from './event-hooks.repository';
import { EventHooksWorker } from './event-hooks.worker';

@Injectable()
export class EventHooksService {
  constructor(
    private readonly deliveries: EventHooksRepository,
    private readonly worker: EventHooksWorker,
  ) {}

  /**
   * Stores the delivery and returns: Okta gives a receiver 3 seconds, so it is acknowledged as soon as it is
   * durable, and applied afterwards. A redelivered `eventId` is acknowledged and ignored.
   */
  async receive(delivery: EventHookDeliveryDto): Promise<{ duplicate: boolean }> {
    const stored = await this.deliveries.store(delivery);
    if (stored) setImmediate(() => void this.worker.kick());
    return { duplicate: !stored };
  }

  status(): Promise<{ pending: number; processed: number; failing: number }> {
    return this.deliveries.counts();
  }
}
