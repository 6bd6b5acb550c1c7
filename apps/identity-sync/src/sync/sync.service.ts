import { Injectable } from '@nestjs/common';
import { SyncStatusResponse } from './dto/sync-status.dto';

@Injectable()
export class SyncService {
  /** No identity provider is wired in yet, so nothing has ever run. */
  status(): SyncStatusResponse {
    return { status: 'idle', lastRun: null };
  }
}
