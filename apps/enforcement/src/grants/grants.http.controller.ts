import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { CreateGrantDto, createGrantSchema } from './dto/create-grant.dto';
import { ListGrantsQuery, listGrantsQuerySchema } from './dto/list-grants.query';
import { GrantsService, GrantView } from './grants.service';

@Controller('v1/grants')
@UseGuards(AdminTokenGuard)
export class GrantsHttpController {
  constructor(private readonly grants: GrantsService) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createGrantSchema)) body: CreateGrantDto): Promise<{ id: string }> {
    return this.grants.create(body);
  }

  @Get()
  list(@Query(new ZodValidationPipe(listGrantsQuerySchema)) query: ListGrantsQuery): Promise<{ items: GrantView[] }> {
    return this.grants.list(query.principalId);
  }

  @Get(':id')
  get(@Param('id', uuidParam) id: string): Promise<GrantView> {
    return this.grants.get(id);
  }
}
