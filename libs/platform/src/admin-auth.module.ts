import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ADMIN_TOKEN, AdminTokenGuard } from './admin-token.guard';

/** Provides the admin guard everywhere, so a controller only writes `@UseGuards(AdminTokenGuard)`. */
@Global()
@Module({
  providers: [
    {
      provide: ADMIN_TOKEN,
      inject: [ConfigService],
      useFactory: (config: ConfigService<{ ATTEST_ADMIN_TOKEN: string }, true>) => config.get('ATTEST_ADMIN_TOKEN', { infer: true }),
    },
    AdminTokenGuard,
  ],
  exports: [ADMIN_TOKEN, AdminTokenGuard],
})
export class AdminAuthModule {}
