import { baseEnvSchema, ConfigError, DEV_ADMIN_TOKEN, loadConfig, withAdminToken } from './config';

describe('service configuration', () => {
  it('applies defaults for a development machine', () => {
    const config = withAdminToken(loadConfig(baseEnvSchema, {}));
    expect(config.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(config.ATTEST_ADMIN_TOKEN).toBe(DEV_ADMIN_TOKEN);
  });

  it('refuses to start in production without an admin token', () => {
    expect(() => withAdminToken(loadConfig(baseEnvSchema, { NODE_ENV: 'production' }))).toThrow(/ATTEST_ADMIN_TOKEN: required/);
  });

  it('names a malformed variable without echoing its value', () => {
    const secret = 'short-secret';
    let error: unknown;
    try {
      loadConfig(baseEnvSchema, { ATTEST_ADMIN_TOKEN: secret, DATABASE_URL: 'not a url' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['ATTEST_ADMIN_TOKEN', 'DATABASE_URL']);
    expect((error as Error).message).not.toContain(secret);
  });
});
