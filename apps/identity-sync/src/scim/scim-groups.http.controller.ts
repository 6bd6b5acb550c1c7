import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ScimGroupDto, scimGroupSchema } from './dto/scim-group.dto';
import { ScimListQuery, scimListQuerySchema } from './dto/scim-list.query';
import { ScimPatchDto, scimPatchSchema } from './dto/scim-patch.dto';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimExceptionFilter } from './scim-exception.filter';
import { scimBaseUrl, ScimContentTypeInterceptor, ScimValidationPipe } from './scim-http.support';
import { ScimGroupsService } from './scim-groups.service';

type ScimResource = Record<string, unknown>;

@Controller('scim/v2/Groups')
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@UseInterceptors(ScimContentTypeInterceptor)
export class ScimGroupsHttpController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body(new ScimValidationPipe(scimGroupSchema)) body: ScimGroupDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ScimResource> {
    const group = await this.groups.create(body, scimBaseUrl(request));
    response.setHeader('Location', (group.meta as { location: string }).location);
    return group;
  }

  @Get()
  list(@Query(new ScimValidationPipe(scimListQuerySchema)) query: ScimListQuery, @Req() request: Request): Promise<ScimResource> {
    return this.groups.list(query, scimBaseUrl(request));
  }

  @Get(':id')
  get(@Param('id') id: string, @Query('excludedAttributes') excludedAttributes: string | undefined, @Req() request: Request): Promise<ScimResource> {
    const excludeMembers = (excludedAttributes ?? '').toLowerCase().split(',').map((a) => a.trim()).includes('members');
    return this.groups.get(id, { excludeMembers }, scimBaseUrl(request));
  }

  @Patch(':id')
  patch(@Param('id') id: string, @Body(new ScimValidationPipe(scimPatchSchema)) body: ScimPatchDto, @Req() request: Request): Promise<ScimResource> {
    return this.groups.patch(id, body.Operations, scimBaseUrl(request));
  }

  @Put(':id')
  replace(@Param('id') id: string, @Body(new ScimValidationPipe(scimGroupSchema)) body: ScimGroupDto, @Req() request: Request): Promise<ScimResource> {
    return this.groups.replace(id, body, scimBaseUrl(request));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.groups.delete(id);
  }
}
