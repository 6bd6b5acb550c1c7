import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, ZodValidationPipe } from '@attest/platform';
import { UsageService } from './usage.service';
import { GrantUsageParams, grantUsageParamsSchema, GrantUsageResponse } from './dto/grant-usage.dto';
import { ApiUsageParams, apiUsageParamsSchema, ApiUsageResponse } from './dto/api-usage.dto';

@Controller('v1/usage')
@UseGuards(AdminTokenGuard)
export class UsageHttpController {
  constructor(private readonly usage: UsageService) {}

  @Get('grants/:grantId')
  grantUsage(@Param(new ZodValidationPipe(grantUsageParamsSchema)) params: GrantUsageParams): Promise<GrantUsageResponse> {
    return this.usage.grantUsage(params.grantId);
  }

  @Get('apis/:apiId')
  apiUsage(@Param(new ZodValidationPipe(apiUsageParamsSchema)) params: ApiUsageParams): Promise<ApiUsageResponse> {
    return this.usage.apiUsage(params.apiId);
  }
}
