import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { DecisionsHttpController } from './decisions.http.controller';
import { DecisionsRepository } from './decisions.repository';
import { DecisionsService } from './decisions.service';

@Module({
  imports: [GrantsModule],
  controllers: [DecisionsHttpController],
  providers: [DecisionsService, DecisionsRepository],
})
export class DecisionsModule {}
