import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { CreateKeyDto, createKeySchema } from './dto/create-key.dto';
import { ListKeysQuery, listKeysQuerySchema } from './dto/list-keys.query';
import { CreatedKey, KeysService, KeyView } from './keys.service';

@Controller('v1/keys')
@UseGuards(AdminTokenGuard)
export class KeysHttpController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createKeySchema)) body: CreateKeyDto): Promise<CreatedKey> {
    return this.keys.create(body);
  }

  @Get()
  list(@Query(new ZodValidationPipe(listKeysQuerySchema)) query: ListKeysQuery): Promise<{ items: KeyView[] }> {
    return this.keys.list(query.principalId);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', uuidParam) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
