import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@attest/platform';
import { AppModule } from './app.module';
import { usageIngestEnvSchema, SERVICE } from './config';

async function main(): Promise<void> {
  const config = loadConfig(usageIngestEnvSchema);
  await bootstrapService(AppModule, { service: SERVICE, port: config.PORT });
}

main().catch((error: Error) => {
  // The message names bad settings, never their values, so it is safe to print.
  console.error(`${SERVICE} failed to start: ${error.message}`);
  process.exit(1);
});
