import 'reflect-metadata';
import { bootstrapService, loadConfig, withAdminToken } from '@attest/platform';
import { AppModule } from './app.module';
import { enforcementEnvSchema, SERVICE } from './config';

async function main(): Promise<void> {
  // Validated before anything connects, so a bad setting stops the service with a message naming it.
  const config = withAdminToken(loadConfig(enforcementEnvSchema));
  await bootstrapService(AppModule, { service: SERVICE, port: config.PORT });
}

main().catch((error: Error) => {
  // The message names bad settings, never their values, so it is safe to print.
  console.error(`${SERVICE} failed to start: ${error.message}`);
  process.exit(1);
});
