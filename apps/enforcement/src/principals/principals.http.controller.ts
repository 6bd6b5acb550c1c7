import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { CreatePrincipalDto, createPrincipalSchema } from './dto/create-principal.dto';
import { ListPrincipalsQuery, listPrincipalsQuerySchema } from './dto/list-principals.query';
import { PrincipalsService, PrincipalView } from './principals.service';

@Controller('v1/principals')
@UseGuards(AdminTokenGuard)
export class PrincipalsHttpController {
  constructor(private readonly principals: PrincipalsService) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createPrincipalSchema)) body: CreatePrincipalDto): Promise<{ id: string }> {
    return this.principals.create(body);
  }

  /** Finds principals by e-mail, case-insensitively: how an admin finds a synced person to give grants and keys to. */
  @Get()
  list(@Query(new ZodValidationPipe(listPrincipalsQuerySchema)) query: ListPrincipalsQuery): Promise<{ items: PrincipalView[] }> {
    return this.principals.findByEmail(query.email);
  }

  @Get(':id')
  get(@Param('id', uuidParam) id: string): Promise<PrincipalView> {
    return this.principals.get(id);
  }
}
