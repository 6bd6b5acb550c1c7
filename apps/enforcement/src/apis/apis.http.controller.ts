import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { CreateApiDto, createApiSchema } from './dto/create-api.dto';
import { ApisService, ApiView } from './apis.service';

@Controller('v1/apis')
@UseGuards(AdminTokenGuard)
export class ApisHttpController {
  constructor(private readonly apis: ApisService) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createApiSchema)) body: CreateApiDto): Promise<{ id: string }> {
    return this.apis.create(body);
  }

  @Get(':id')
  get(@Param('id', uuidParam) id: string): Promise<ApiView> {
    return this.apis.get(id);
  }
}
