import { Module } from '@nestjs/common';
import { PolicyViewService } from './policy-view.service';

@Module({ providers: [PolicyViewService], exports: [PolicyViewService] })
export class PolicyModule {}
