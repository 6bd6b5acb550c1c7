import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { PrincipalsConsumer } from './principals.consumer';
import { PrincipalsHttpController } from './principals.http.controller';
import { PrincipalsRepository } from './principals.repository';
import { PrincipalsService } from './principals.service';

@Module({
  imports: [GrantsModule],
  controllers: [PrincipalsHttpController],
  providers: [PrincipalsRepository, PrincipalsService, PrincipalsConsumer],
  exports: [PrincipalsRepository],
})
export class PrincipalsModule {}
