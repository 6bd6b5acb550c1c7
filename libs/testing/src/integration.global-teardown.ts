import { dropRunDatabases, stopStartedContainers } from './integration.global-setup';

export default async function globalTeardown(): Promise<void> {
  await dropRunDatabases();
  await stopStartedContainers();
}
