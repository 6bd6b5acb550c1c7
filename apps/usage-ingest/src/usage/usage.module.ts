import { Module } from '@nestjs/common';
import { UsageConsumer } from './usage.consumer';
import { UsageHttpController } from './usage.http.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

@Module({
  controllers: [UsageHttpController],
  providers: [UsageRepository, UsageService, UsageConsumer],
})
export class UsageModule {}
