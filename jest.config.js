/** Three tiers: unit specs beside the code, integration specs against real Kafka and Postgres, and e2e. */
const moduleNameMapper = { '^@attest/(.*)$': '<rootDir>/libs/$1/src' };
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
};
const common = { rootDir: __dirname, testEnvironment: 'node', moduleNameMapper, transform };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/integration.global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/integration.global-teardown.ts',
      setupFiles: ['<rootDir>/libs/testing/src/integration.setup-file.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/integration.global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/integration.global-teardown.ts',
      setupFiles: ['<rootDir>/libs/testing/src/integration.setup-file.ts'],
    },
  ],
};
