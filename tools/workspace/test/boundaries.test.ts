import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineNxEnv, workspaceRoot } from './workspace-root.js';

// Lints a throwaway workspace that uses this repository's real ESLint config (and so its
// real dependency constraints), with one project per tag combination, and checks which
// imports the boundary rule rejects. The fixture lives outside the repo so that adding
// bad imports never touches the real project graph.

interface LintMessage {
  ruleId: string | null;
  message: string;
}
interface LintResult {
  filePath: string;
  messages: LintMessage[];
}

const root = workspaceRoot();
let fixture: string;
let results: Map<string, LintMessage[]>;

function project(dir: string, tags: string[], files: Record<string, string>): void {
  const name = dir.split('/').pop() as string;
  mkdirSync(join(fixture, dir, 'src'), { recursive: true });
  writeFileSync(
    join(fixture, dir, 'package.json'),
    JSON.stringify({ name: `@fixture/${name}`, type: 'module', exports: { '.': './src/index.ts' } }),
  );
  writeFileSync(join(fixture, dir, 'project.json'), JSON.stringify({ name, tags }));
  writeFileSync(join(fixture, dir, 'src/index.ts'), `export const ${name} = 1;\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(fixture, dir, 'src', file), text);
}

function boundaryErrors(file: string): string[] {
  const messages = results.get(join(fixture, file));
  if (!messages) throw new Error(`${file} was not linted`);
  return messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

beforeAll(() => {
  fixture = mkdtempSync(join(tmpdir(), 'sigstack-boundaries-'));
  symlinkSync(join(root, 'node_modules'), join(fixture, 'node_modules'), 'dir');
  writeFileSync(
    join(fixture, 'package.json'),
    JSON.stringify({
      name: 'boundary-fixture',
      private: true,
      type: 'module',
      workspaces: ['apps/*', 'libs/*'],
      dependencies: { fastify: '*' },
    }),
  );
  // Nx learns the npm packages (and so bannedExternalImports) from the lock file.
  copyFileSync(join(root, 'package-lock.json'), join(fixture, 'package-lock.json'));
  writeFileSync(join(fixture, 'nx.json'), JSON.stringify({ useDaemonProcess: false, neverConnectToCloud: true }));
  writeFileSync(join(fixture, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
  writeFileSync(join(fixture, 'eslint.boundaries.mjs'), `export * from ${JSON.stringify(join(root, 'eslint.boundaries.mjs'))};\n`);
  writeFileSync(join(fixture, 'eslint.config.mjs'), `export { default } from ${JSON.stringify(join(root, 'eslint.config.mjs'))};\n`);

  const use = (pkg: string, name: string) => `import { ${name} } from '@fixture/${pkg}';\nexport const used = ${name};\n`;
  project('apps/alpha', ['type:app'], {
    'app-to-app.ts': use('beta', 'beta'),
    'app-to-lib.ts': use('merkle', 'merkle'),
    'app-to-app-relative.ts': "import { beta } from '../../beta/src/index.js';\nexport const used = beta;\n",
  });
  project('apps/beta', ['type:app'], {});
  project('libs/merkle', ['type:lib', 'layer:pure'], {
    'pure-to-server.ts': use('server', 'server'),
    'pure-to-fastify.ts': "import fastify from 'fastify';\nexport const used = fastify;\n",
    'pure-to-app.ts': use('beta', 'beta'),
  });
  project('libs/crypto', ['type:lib', 'layer:pure'], {});
  project('libs/bundle', ['type:lib', 'layer:core'], {
    'core-to-pure.ts': use('crypto', 'crypto'),
    'core-to-server.ts': use('server', 'server'),
  });
  project('libs/server', ['type:lib', 'layer:server'], { 'server-to-core.ts': use('bundle', 'bundle') });

  // The rule reads Nx's cached project graph and silently skips when there is none,
  // so build the graph first, exactly as `nx run-many -t lint` does.
  execFileSync(join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: fixture, env: offlineNxEnv });
  const lint = spawnSync(join(root, 'node_modules/.bin/eslint'), ['--format', 'json', 'apps', 'libs'], {
    cwd: fixture,
    env: offlineNxEnv,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = JSON.parse(lint.stdout) as LintResult[];
  results = new Map(parsed.map((r) => [r.filePath, r.messages]));
}, 120_000);

afterAll(() => {
  if (fixture) rmSync(fixture, { recursive: true, force: true });
});

describe('module boundaries', () => {
  it('rejects an app importing another app', () => {
    expect(boundaryErrors('apps/alpha/src/app-to-app.ts')).toEqual([
      expect.stringContaining('"type:app" can only depend on libs tagged with "type:lib"'),
    ]);
  });

  it('rejects an app reaching into another app by relative path', () => {
    expect(boundaryErrors('apps/alpha/src/app-to-app-relative.ts')).not.toEqual([]);
  });

  it('rejects a pure library importing the server library', () => {
    expect(boundaryErrors('libs/merkle/src/pure-to-server.ts')).toEqual([
      expect.stringContaining('"layer:pure" can only depend on libs tagged with "layer:pure"'),
    ]);
  });

  it('rejects a pure library importing a server framework', () => {
    expect(boundaryErrors('libs/merkle/src/pure-to-fastify.ts')).toEqual([
      expect.stringContaining('is not allowed to import "fastify"'),
    ]);
  });

  it('rejects a library importing an app', () => {
    expect(boundaryErrors('libs/merkle/src/pure-to-app.ts')).not.toEqual([]);
  });

  it('rejects a core library importing the server library', () => {
    expect(boundaryErrors('libs/bundle/src/core-to-server.ts')).not.toEqual([]);
  });

  it('allows the dependency directions the architecture permits', () => {
    expect(boundaryErrors('apps/alpha/src/app-to-lib.ts')).toEqual([]);
    expect(boundaryErrors('libs/bundle/src/core-to-pure.ts')).toEqual([]);
    expect(boundaryErrors('libs/server/src/server-to-core.ts')).toEqual([]);
  });
});
