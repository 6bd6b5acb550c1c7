import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AdminTokenGuard } from './admin-token.guard';

/** Provides the admin guard everywhere, so a controller only writes `@UseGuards(AdminTokenGuard)`. */
@Global()
@Module({
  providers: [
    {
      provide: AdminTokenGuard,
      inject: [ConfigService],
      useFactory: (config: ConfigService<{ ATTEST_ADMIN_TOKEN: string }, true>) =>
        new AdminTokenGuard(config.get('ATTEST_ADMIN_TOKEN', { infer: true })),
    },
  ],
  exports: [AdminTokenGuard],
})
export class AdminAuthModule {}
