import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, ZodValidationPipe } from '@attest/platform';
import { ConfirmationsService, PolicyStatus, StateChanges } from './confirmations.service';
import { ListChangesQuery, listChangesQuerySchema } from './dto/list-changes.query';

@Controller('v1/policy')
@UseGuards(AdminTokenGuard)
export class ConfirmationsHttpController {
  constructor(private readonly confirmations: ConfirmationsService) {}

  /** Every gateway replica heard from recently: live or silent, ready, lag and staleness. */
  @Get('status')
  status(): Promise<PolicyStatus> {
    return this.confirmations.status();
  }

  /** When each policy (or catalog) change was published and when every live replica had applied it. */
  @Get('changes')
  changes(@Query(new ZodValidationPipe(listChangesQuerySchema)) query: ListChangesQuery): Promise<StateChanges> {
    return this.confirmations.list(query);
  }
}
