import { ConfigError, loadConfig } from '@attest/platform';
import { DEV_API_KEY_PEPPER, enforcementEnvSchema } from './config';

describe('enforcement config', () => {
  it('defaults the port and the development pepper outside production', () => {
    expect(loadConfig(enforcementEnvSchema, {})).toMatchObject({ PORT: 3001, API_KEY_PEPPER: DEV_API_KEY_PEPPER });
  });

  it('refuses production without a pepper, naming the variable but not printing any value', () => {
    expect(() => loadConfig(enforcementEnvSchema, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig(enforcementEnvSchema, { NODE_ENV: 'production' })).toThrow(/API_KEY_PEPPER: required when NODE_ENV=production/);
    expect(() => loadConfig(enforcementEnvSchema, { NODE_ENV: 'production', API_KEY_PEPPER: DEV_API_KEY_PEPPER })).toThrow(/API_KEY_PEPPER/);
  });

  it('suspends orphaned access by default, and accepts only the known modes', () => {
    expect(loadConfig(enforcementEnvSchema, {}).ORPHANED_ACCESS_MODE).toBe('suspend');
    expect(loadConfig(enforcementEnvSchema, { ORPHANED_ACCESS_MODE: 'flag' }).ORPHANED_ACCESS_MODE).toBe('flag');
    expect(() => loadConfig(enforcementEnvSchema, { ORPHANED_ACCESS_MODE: 'ignore' })).toThrow(/ORPHANED_ACCESS_MODE/);
  });

  it('defaults the replica silence threshold and the reconciler interval, and refuses nonsense', () => {
    expect(loadConfig(enforcementEnvSchema, {})).toMatchObject({ REPLICA_SILENT_AFTER_MS: 10_000, RECONCILE_INTERVAL_MS: 60_000 });
    expect(loadConfig(enforcementEnvSchema, { RECONCILE_INTERVAL_MS: '250' }).RECONCILE_INTERVAL_MS).toBe(250);
    expect(() => loadConfig(enforcementEnvSchema, { REPLICA_SILENT_AFTER_MS: 'soon' })).toThrow(/REPLICA_SILENT_AFTER_MS/);
    expect(() => loadConfig(enforcementEnvSchema, { RECONCILE_INTERVAL_MS: '0' })).toThrow(/RECONCILE_INTERVAL_MS/);
  });

  it('accepts production with its own pepper', () => {
    const pepper = 'a-production-pepper-of-enough-length';
    expect(loadConfig(enforcementEnvSchema, { NODE_ENV: 'production', API_KEY_PEPPER: pepper }).API_KEY_PEPPER).toBe(pepper);
  });

  it('rejects a short pepper without echoing it', () => {
    let message = '';
    try {
      loadConfig(enforcementEnvSchema, { API_KEY_PEPPER: 'short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/API_KEY_PEPPER/);
    expect(message).not.toContain('short-secret');
  });
});
