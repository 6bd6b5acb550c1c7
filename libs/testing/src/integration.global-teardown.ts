import { stopStartedContainers } from './integration.global-setup';

export default async function globalTeardown(): Promise<void> {
  await stopStartedContainers();
}
