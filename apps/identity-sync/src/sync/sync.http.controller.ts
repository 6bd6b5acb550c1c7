import { Controller, Get, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@attest/platform';
import { SyncService } from './sync.service';
import { SyncStatusResponse } from './dto/sync-status.dto';

@Controller('v1/sync')
@UseGuards(AdminTokenGuard)
export class SyncHttpController {
  constructor(private readonly sync: SyncService) {}

  @Get('status')
  status(): SyncStatusResponse {
    return this.sync.status();
  }
}
