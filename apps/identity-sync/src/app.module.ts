import { Module } from '@nestjs/common';
import { TOPICS } from '@attest/contracts';
import { serviceInfrastructure } from '@attest/platform';
import { identitySyncEnvSchema, SCHEMA, SERVICE } from './config';
import { DirectoryModule } from './directory/directory.module';
import { GroupEntity } from './directory/group.entity';
import { MembershipEntity } from './directory/membership.entity';
import { PrincipalEntity } from './directory/principal.entity';
import { EventHookDeliveryEntity } from './event-hooks/event-hook-delivery.entity';
import { EventHooksModule } from './event-hooks/event-hooks.module';
import { IdentitySyncSchema1764028800000 } from './migrations/1764028800000-identity-sync-schema.migration';
import { MembershipReadOrder1764374400000 } from './migrations/1764374400000-membership-read-order.migration';
import { OktaModule } from './okta/okta.module';
import { identitySyncProblem } from './problem-mapping';
import { ScimModule } from './scim/scim.module';
import { SyncRunEntity } from './sync/sync-run.entity';
import { SyncModule } from './sync/sync.module';
import { SystemLogCursorEntity } from './system-log/system-log-cursor.entity';
import { SystemLogModule } from './system-log/system-log.module';

@Module({
  imports: [
    ...serviceInfrastructure({
      service: SERVICE,
      schema: SCHEMA,
      env: identitySyncEnvSchema,
      entities: [PrincipalEntity, GroupEntity, MembershipEntity, SyncRunEntity, SystemLogCursorEntity, EventHookDeliveryEntity],
      migrations: [IdentitySyncSchema1764028800000, MembershipReadOrder1764374400000],
      topics: [TOPICS.identityEvents],
      problems: identitySyncProblem,
    }),
    DirectoryModule,
    OktaModule,
    SyncModule,
    SystemLogModule,
    EventHooksModule,
    ScimModule,
  ],
})
export class AppModule {}
