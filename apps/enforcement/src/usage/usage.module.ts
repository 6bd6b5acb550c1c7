import { Module } from '@nestjs/common';
import { UsageConsumer } from './usage.consumer';
import { UsageRepository } from './usage.repository';

@Module({ providers: [UsageConsumer, UsageRepository], exports: [UsageRepository] })
export class UsageModule {}
