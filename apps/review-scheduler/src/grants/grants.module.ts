import { Module } from '@nestjs/common';
import { GrantsConsumer } from './grants.consumer';
import { GrantsRepository } from './grants.repository';

@Module({
  providers: [GrantsRepository, GrantsConsumer],
  exports: [GrantsRepository],
})
export class GrantsModule {}
