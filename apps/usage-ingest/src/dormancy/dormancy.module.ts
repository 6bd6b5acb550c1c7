import { Module } from '@nestjs/common';
import { DormancyRepository } from './dormancy.repository';
import { DormancyService } from './dormancy.service';

@Module({ providers: [DormancyRepository, DormancyService] })
export class DormancyModule {}
