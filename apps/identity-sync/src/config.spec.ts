import { ConfigError, loadConfig } from '@attest/platform';
import { identitySyncEnvSchema } from './config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(identitySyncEnvSchema, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('identity-sync configuration', () => {
  it('runs without Okta, with polling, hooks and sync defaults for when it is configured', () => {
    const config = loadConfig(identitySyncEnvSchema, {});
    expect(config.OKTA_ORG_URL).toBeUndefined();
    expect(config).toMatchObject({ OKTA_LOG_POLL_INTERVAL_MS: 15_000, OKTA_EVENT_HOOK_HEADER: 'authorization', OKTA_SYNC_ON_START: true, OKTA_MAX_RETRIES: 4 });
  });

  it('needs an API token once an Okta org is named', () => {
    expect(problemsOf({ OKTA_ORG_URL: 'https://example.okta.com' })).toEqual(['OKTA_API_TOKEN: required when OKTA_ORG_URL is set']);
  });

  it('refuses to start in production without a SCIM bearer token of its own', () => {
    expect(problemsOf({ NODE_ENV: 'production', ATTEST_ADMIN_TOKEN: 'a-long-admin-token-for-prod' })).toEqual(['SCIM_BEARER_TOKEN: required when NODE_ENV=production']);
  });

  it('names a bad secret without echoing it, and lower-cases the hook header name', () => {
    const secret = 'short';
    const problems = problemsOf({ OKTA_EVENT_HOOK_SECRET: secret, SCIM_BEARER_TOKEN: secret });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['OKTA_EVENT_HOOK_SECRET', 'SCIM_BEARER_TOKEN']);
    expect(problems.join('\n')).not.toContain(secret);
    expect(loadConfig(identitySyncEnvSchema, { OKTA_EVENT_HOOK_HEADER: 'X-Okta-Hook' }).OKTA_EVENT_HOOK_HEADER).toBe('x-okta-hook');
  });
});
