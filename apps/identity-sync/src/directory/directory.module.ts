import { Module } from '@nestjs/common';
import { DirectoryHttpController } from './directory.http.controller';
import { DirectoryQueries } from './directory.queries';
import { DirectoryRepository } from './directory.repository';
import { DirectoryService } from './directory.service';
import { IdentityPublisher } from './identity.publisher';

@Module({
  controllers: [DirectoryHttpController],
  providers: [DirectoryRepository, DirectoryService, DirectoryQueries, IdentityPublisher],
  exports: [DirectoryRepository, DirectoryService],
})
export class DirectoryModule {}
