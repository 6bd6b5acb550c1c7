import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam } from '@attest/platform';
import { PrincipalAccess, PrincipalAccessService } from './principal-access.service';

@Controller('v1/principals')
@UseGuards(AdminTokenGuard)
export class PrincipalAccessHttpController {
  constructor(private readonly access: PrincipalAccessService) {}

  /** The principal's keys and grants with their last-used times; 404 for an unknown principal. */
  @Get(':id/access')
  get(@Param('id', uuidParam) id: string): Promise<PrincipalAccess> {
    return this.access.access(id);
  }
}
