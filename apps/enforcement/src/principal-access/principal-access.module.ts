import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { KeysModule } from '../keys/keys.module';
import { PrincipalsModule } from '../principals/principals.module';
import { UsageModule } from '../usage/usage.module';
import { PrincipalAccessHttpController } from './principal-access.http.controller';
import { PrincipalAccessService } from './principal-access.service';

@Module({
  imports: [GrantsModule, KeysModule, PrincipalsModule, UsageModule],
  controllers: [PrincipalAccessHttpController],
  providers: [PrincipalAccessService],
})
export class PrincipalAccessModule {}
