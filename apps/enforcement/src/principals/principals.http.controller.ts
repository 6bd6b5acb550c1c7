import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { CreatePrincipalDto, createPrincipalSchema } from './dto/create-principal.dto';
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

  @Get(':id')
  get(@Param('id', uuidParam) id: string): Promise<PrincipalView> {
    return this.principals.get(id);
  }
}
