import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const services = ['identity-sync', 'usage-ingest', 'review-scheduler', 'enforcement', 'gateway'];

/** Which project may import which: an app never imports another app, shared libs never import an app. */
function depConstraints({ tests }) {
  const testing = tests ? ['type:testing'] : [];
  return [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...testing] },
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...testing] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:testing'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ...services.map((service) => ({
      sourceTag: `scope:${service}`,
      onlyDependOnLibsWithTags: [`scope:${service}`, 'scope:shared'],
    })),
  ];
}

const boundaries = (tests) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints({ tests }) },
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', '.nx/**', 'scripts/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries(false),
    },
  },
  {
    // Tests, and the apps' test harnesses (src/testing, left out of their builds), may also use the shared test support library.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'apps/*/src/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
];
