import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { AccessRestorationService, RestoredAccess } from './access-restoration.service';
import { RestoreAccessDto, restoreAccessSchema } from './dto/restore-access.dto';

@Controller('v1/principals')
@UseGuards(AdminTokenGuard)
export class AccessRestorationHttpController {
  constructor(private readonly restoration: AccessRestorationService) {}

  /** Restores the keys and grants the identity lifecycle closed; 409 while the principal is not active. */
  @Post(':id/restore')
  @HttpCode(200)
  restore(
    @Param('id', uuidParam) id: string,
    @Body(new ZodValidationPipe(restoreAccessSchema)) body: RestoreAccessDto,
  ): Promise<RestoredAccess> {
    return this.restoration.restorePrincipal({ principalId: id, reason: body.reason });
  }
}
