import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ScimListQuery, scimListQuerySchema } from './dto/scim-list.query';
import { ScimPatchDto, scimPatchSchema } from './dto/scim-patch.dto';
import { ScimUserDto, scimUserSchema } from './dto/scim-user.dto';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimExceptionFilter } from './scim-exception.filter';
import { scimBaseUrl, ScimContentTypeInterceptor, ScimValidationPipe } from './scim-http.support';
import { ScimUsersService } from './scim-users.service';

type ScimResource = Record<string, unknown>;

@Controller('scim/v2/Users')
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@UseInterceptors(ScimContentTypeInterceptor)
export class ScimUsersHttpController {
  constructor(private readonly users: ScimUsersService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body(new ScimValidationPipe(scimUserSchema)) body: ScimUserDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ScimResource> {
    const user = await this.users.create(body, scimBaseUrl(request));
    response.setHeader('Location', (user.meta as { location: string }).location);
    return user;
  }

  @Get()
  list(@Query(new ScimValidationPipe(scimListQuerySchema)) query: ScimListQuery, @Req() request: Request): Promise<ScimResource> {
    return this.users.list(query, scimBaseUrl(request));
  }

  @Get(':id')
  get(@Param('id') id: string, @Req() request: Request): Promise<ScimResource> {
    return this.users.get(id, scimBaseUrl(request));
  }

  @Patch(':id')
  patch(@Param('id') id: string, @Body(new ScimValidationPipe(scimPatchSchema)) body: ScimPatchDto, @Req() request: Request): Promise<ScimResource> {
    return this.users.patch(id, body.Operations, scimBaseUrl(request));
  }

  @Put(':id')
  replace(@Param('id') id: string, @Body(new ScimValidationPipe(scimUserSchema)) body: ScimUserDto, @Req() request: Request): Promise<ScimResource> {
    return this.users.replace(id, body, scimBaseUrl(request));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.users.delete(id);
  }
}
