import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workspaceRoot } from '@sigstack/testing';
import { run } from '../src/cli.js';
import type { CliIo } from '../src/io.js';

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An isolated environment: a temporary HOME, no terminal, no token variables. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), 'sigstack-cli-home-'));
  return { HOME: home, PATH: process.env['PATH'] ?? '', ...extra };
}

/** Runs the CLI in this process, as `sigstack ...argv` would. */
export async function runCli(argv: readonly string[], options: { env?: Record<string, string>; cwd?: string; answers?: string[]; interactive?: boolean } = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    env: options.env ?? testEnv(),
    cwd: options.cwd ?? process.cwd(),
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    interactive: options.interactive ?? false,
    ask: async (q) => {
      stderr += q;
      return answers.shift() ?? '';
    },
    fetch: (input, init) => fetch(input, init),
    now: () => new Date(),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

export const cliRoot = (): string => path.join(workspaceRoot(), 'apps', 'cli');

/** Runs the built binary (bin/sigstack.mjs) or the conformance entrypoint as a child process. */
export function spawnCli(file: 'bin/sigstack.mjs' | 'conformance-entrypoint', argv: readonly string[], env: Record<string, string> = testEnv(), cwd?: string): Ran {
  const target = path.join(cliRoot(), file);
  const [cmd, args] = file.endsWith('.mjs') ? [process.execPath, [target, ...argv]] : [target, [...argv]];
  const r = spawnSync(cmd, args, { env: { ...env, PATH: `${path.dirname(process.execPath)}:${env['PATH'] ?? ''}` }, cwd: cwd ?? process.cwd(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
