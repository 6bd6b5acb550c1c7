import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { ApiRetirementService, RetiredApi } from './api-retirement.service';
import { RetireApiDto, retireApiSchema } from './dto/retire-api.dto';

@Controller('v1/apis')
@UseGuards(AdminTokenGuard)
export class ApiRetirementHttpController {
  constructor(private readonly retirement: ApiRetirementService) {}

  /** The gateway answers the API 410 from now on; 409 when it is already retired. */
  @Post(':id/retire')
  @HttpCode(200)
  retire(@Param('id', uuidParam) id: string, @Body(new ZodValidationPipe(retireApiSchema)) body: RetireApiDto): Promise<RetiredApi> {
    return this.retirement.retire({ apiId: id, reason: body.reason });
  }
}
