import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, ZodValidationPipe } from '@attest/platform';
import { UsageService } from './usage.service';
import { GrantUsageParams, grantUsageParamsSchema, GrantUsageResponse } from './dto/grant-usage.dto';

@Controller('v1/usage')
@UseGuards(AdminTokenGuard)
export class UsageHttpController {
  constructor(private readonly usage: UsageService) {}

  @Get('grants/:grantId')
  grantUsage(@Param(new ZodValidationPipe(grantUsageParamsSchema)) params: GrantUsageParams): Promise<GrantUsageResponse> {
    return this.usage.grantUsage(params.grantId);
  }
}
