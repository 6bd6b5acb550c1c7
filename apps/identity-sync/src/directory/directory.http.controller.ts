import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { ListPrincipalsQuery, listPrincipalsQuerySchema } from './dto/list-principals.query';
import { DirectoryQueries, PrincipalView } from './directory.queries';

/** Read access to the mirror, for operators and for checking what the identity provider said. */
@Controller('v1/directory')
@UseGuards(AdminTokenGuard)
export class DirectoryHttpController {
  constructor(private readonly queries: DirectoryQueries) {}

  @Get('principals')
  list(@Query(new ZodValidationPipe(listPrincipalsQuerySchema)) query: ListPrincipalsQuery): Promise<{ total: number; items: PrincipalView[] }> {
    return this.queries.list(query);
  }

  @Get('principals/:id')
  get(@Param('id', uuidParam) id: string): Promise<PrincipalView> {
    return this.queries.get(id);
  }

  @Get('summary')
  summary(): Promise<{ principals: number; groups: number; memberships: number }> {
    return this.queries.summary();
  }
}
