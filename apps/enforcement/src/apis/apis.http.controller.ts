import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { ApiConsumersQuery, apiConsumersQuerySchema, UnusedApisQuery, unusedApisQuerySchema } from './dto/api-usage.query';
import { CreateApiDto, createApiSchema } from './dto/create-api.dto';
import { DeprecateApiDto, deprecateApiSchema } from './dto/deprecate-api.dto';
import { UpdateApiDto, updateApiSchema } from './dto/update-api.dto';
import { ApiConsumers, ApisService, ApiView, UnusedApi } from './apis.service';

@Controller('v1/apis')
@UseGuards(AdminTokenGuard)
export class ApisHttpController {
  constructor(private readonly apis: ApisService) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createApiSchema)) body: CreateApiDto): Promise<{ id: string }> {
    return this.apis.create(body);
  }

  // Declared before ':id': routes match in declaration order, and 'unused' is not an id.
  @Get('unused')
  unused(@Query(new ZodValidationPipe(unusedApisQuerySchema)) query: UnusedApisQuery): Promise<{ days: number; since: string; items: UnusedApi[] }> {
    return this.apis.unused(query.days);
  }

  @Get(':id')
  get(@Param('id', uuidParam) id: string): Promise<ApiView> {
    return this.apis.get(id);
  }

  @Patch(':id')
  update(@Param('id', uuidParam) id: string, @Body(new ZodValidationPipe(updateApiSchema)) body: UpdateApiDto): Promise<ApiView> {
    return this.apis.update(id, body);
  }

  @Post(':id/deprecate')
  @HttpCode(200)
  deprecate(@Param('id', uuidParam) id: string, @Body(new ZodValidationPipe(deprecateApiSchema)) body: DeprecateApiDto): Promise<ApiView> {
    return this.apis.deprecate(id, body);
  }

  @Get(':id/consumers')
  consumers(
    @Param('id', uuidParam) id: string,
    @Query(new ZodValidationPipe(apiConsumersQuerySchema)) query: ApiConsumersQuery,
  ): Promise<ApiConsumers> {
    return this.apis.consumers(id, query.days);
  }
}
