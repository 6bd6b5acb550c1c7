import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard, uuidParam, ZodValidationPipe } from '@attest/platform';
import { StartSyncDto, startSyncSchema } from './dto/start-sync.dto';
import { StartSyncResponse, SyncRunView, SyncStatusResponse } from './dto/sync-status.dto';
import { SyncStatusQuery } from './sync-status.query';
import { SyncService } from './sync.service';

@Controller('v1/sync')
@UseGuards(AdminTokenGuard)
export class SyncHttpController {
  constructor(
    private readonly sync: SyncService,
    private readonly statusQuery: SyncStatusQuery,
  ) {}

  /** Starts a full sync with Okta (or resumes an unfinished one): 202 with its id, 409 while one runs. */
  @Post()
  @HttpCode(202)
  start(@Body(new ZodValidationPipe(startSyncSchema)) body: StartSyncDto): Promise<StartSyncResponse> {
    return this.sync.start(body);
  }

  @Get('status')
  status(): Promise<SyncStatusResponse> {
    return this.statusQuery.status();
  }

  @Get('runs/:id')
  run(@Param('id', uuidParam) id: string): Promise<SyncRunView> {
    return this.sync.view(id);
  }
}
