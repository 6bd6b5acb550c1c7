import { Module } from '@nestjs/common';
import { SyncHttpController } from './sync.http.controller';
import { SyncService } from './sync.service';

@Module({ controllers: [SyncHttpController], providers: [SyncService] })
export class SyncModule {}
