import { Body, Controller, Get, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RequestError, ZodValidationPipe } from '@attest/platform';
import { EventHookDeliveryDto, eventHookDeliverySchema } from './dto/event-hook.dto';
import { EventHookGuard } from './event-hook.guard';
import { EventHooksService } from './event-hooks.service';

/** Okta Event Hooks: authenticated by the shared-secret header instead of the admin token. */
@Controller('v1/hooks/okta')
@UseGuards(EventHookGuard)
export class EventHooksHttpController {
  constructor(private readonly hooks: EventHooksService) {}

  /** Okta's one-time verification: echo the challenge to prove this endpoint is ours. */
  @Get()
  verify(@Headers('x-okta-verification-challenge') challenge: string | undefined): { verification: string } {
    if (!challenge) {
      throw new RequestError('REQUEST.INVALID', 'missing x-okta-verification-challenge', [
        { field: 'x-okta-verification-challenge', message: 'required' },
      ]);
    }
    return { verification: challenge };
  }

  @Post()
  @HttpCode(200)
  async receive(@Body(new ZodValidationPipe(eventHookDeliverySchema)) delivery: EventHookDeliveryDto): Promise<Record<string, never>> {
    await this.hooks.receive(delivery);
    return {};
  }
}
