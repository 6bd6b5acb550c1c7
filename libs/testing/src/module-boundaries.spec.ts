import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/** The lint rules that keep the architecture honest must actually fire, not be skipped. */
describe('module boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's project graph; computing it here means the test cannot pass by the rule being skipped.
    execFileSync(resolve(ROOT, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  }, 60000);

  // The ESLint CLI in a child process: its flat config is ESM, which jest's module sandbox cannot load.
  const boundaryErrors = async (filePath: string, code: string): Promise<string[]> => {
    let output: string;
    try {
      output = execFileSync(resolve(ROOT, 'node_modules/.bin/eslint'), ['--format', 'json', '--stdin', '--stdin-filename', resolve(ROOT, filePath)], {
        cwd: ROOT,
        input: code,
        encoding: 'utf8',
      });
    } catch (error) {
      output = (error as { stdout: string }).stdout; // eslint exits 1 when it reports errors
    }
    const [result] = JSON.parse(output) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  };

  it('forbids an app importing another app', async () => {
    const errors = await boundaryErrors(
      'apps/gateway/src/leak.ts',
      "import { AppModule } from '../../enforcement/src/app.module';\nexport const x = AppModule;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('forbids production code of a library importing the test support library', async () => {
    const errors = await boundaryErrors('libs/messaging/src/leak.ts', "import { waitFor } from '@attest/testing';\nexport const x = waitFor;\n");
    expect(errors.join('\n')).toMatch(/type:lib.*can only depend on/);
  });

  it('allows an app to use the shared libraries', async () => {
    const errors = await boundaryErrors(
      'apps/gateway/src/fine.ts',
      "import { TOPICS } from '@attest/contracts';\nimport { parseBrokers } from '@attest/messaging';\nexport const x = [TOPICS, parseBrokers];\n",
    );
    expect(errors).toEqual([]);
  });
});
