import { Module } from '@nestjs/common';
import { PolicyPublisher } from './policy.publisher';
import { PolicyRepository } from './policy.repository';

@Module({ providers: [PolicyPublisher, PolicyRepository], exports: [PolicyPublisher] })
export class PolicyModule {}
