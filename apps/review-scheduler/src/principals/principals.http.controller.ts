import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam } from '@attest/platform';
import { PrincipalsService, PrincipalView } from './principals.service';

@Controller('v1/principals')
@UseGuards(AdminTokenGuard)
export class PrincipalsHttpController {
  constructor(private readonly principals: PrincipalsService) {}

  /** The read model as reviewer assignment sees it: facts, manager, groups and grants. */
  @Get(':id')
  get(@Param('id', uuidParam) id: string): Promise<PrincipalView> {
    return this.principals.get(id);
  }
}
