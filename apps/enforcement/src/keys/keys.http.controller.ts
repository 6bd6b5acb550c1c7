import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { CreateKeyDto, createKeySchema } from './dto/create-key.dto';
import { ListKeysQuery, listKeysQuerySchema } from './dto/list-keys.query';
import { RotateKeyDto, rotateKeySchema } from './dto/rotate-key.dto';
import { CreatedKey, KeyList, KeysService } from './keys.service';

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
  list(@Query(new ZodValidationPipe(listKeysQuerySchema)) query: ListKeysQuery): Promise<KeyList> {
    return this.keys.list(query.principalId);
  }

  /** A new key for the same holder; the old one works until the grace ends. */
  @Post(':id/rotate')
  @HttpCode(201)
  rotate(@Param('id', uuidParam) id: string, @Body(new ZodValidationPipe(rotateKeySchema)) body: RotateKeyDto): Promise<CreatedKey> {
    return this.keys.rotate(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', uuidParam) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
