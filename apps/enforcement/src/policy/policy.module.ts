import { Module } from '@nestjs/common';
import { PolicyPublisher } from './policy.publisher';
import { PolicyRepository } from './policy.repository';
import { StateChangesRepository } from './state-changes.repository';

@Module({
  providers: [PolicyPublisher, PolicyRepository, StateChangesRepository],
  exports: [PolicyPublisher, PolicyRepository, StateChangesRepository],
})
export class PolicyModule {}
