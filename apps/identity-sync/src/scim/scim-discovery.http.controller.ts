import { Controller, Get, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { SCIM_SCHEMAS } from './domain/scim-resources';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ScimContentTypeInterceptor } from './scim-http.support';

/** What this SCIM service supports (RFC 7644 §4), read by clients before they provision. */
@Controller('scim/v2')
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@UseInterceptors(ScimContentTypeInterceptor)
export class ScimDiscoveryHttpController {
  @Get('ServiceProviderConfig')
  serviceProviderConfig(): Record<string, unknown> {
    return {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'Authorization: Bearer <SCIM_BEARER_TOKEN>', primary: true }],
    };
  }

  @Get('ResourceTypes')
  resourceTypes(): Record<string, unknown> {
    const resources = [
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: SCIM_SCHEMAS.user, schemaExtensions: [{ schema: SCIM_SCHEMAS.enterpriseUser, required: false }] },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: SCIM_SCHEMAS.group },
    ];
    return { schemas: [SCIM_SCHEMAS.listResponse], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
  }
}
