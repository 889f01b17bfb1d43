// Runs the built launcher as a person would (`node tools/stack/dist/main.js`), on free ports
// and a temporary state folder, so tests never meet a developer's running stack.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePorts as freeLoopbackPorts, workspaceRoot } from '@sigstack/testing';

export const ROOT = workspaceRoot();
export const LAUNCHER = path.join(ROOT, 'tools', 'stack', 'dist', 'main.js');
export const SERVICES = ['oidc', 'fulcio', 'rekor', 'ctlog', 'tsa', 'tuf'] as const;
export type Ports = Record<(typeof SERVICES)[number], number>;

/** Ports free right now, one per service (distinct: see @sigstack/testing's freePorts). */
export async function freePorts(): Promise<Ports> {
  const ports = await freeLoopbackPorts(SERVICES.length);
  return Object.fromEntries(SERVICES.map((s, i) => [s, ports[i]])) as Ports;
}

export function portFlags(ports: Ports): string[] {
  return SERVICES.flatMap((s) => [`--${s}-port`, String(ports[s])]);
}

/** The environment of a test run: no DATABASE_URL (PGlite in the temporary state), a private HOME. */
export function testEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), npm_config_offline: 'true', npm_config_update_notifier: 'false' };
  delete env['DATABASE_URL'];
  delete env['SIGSTACK_STATE'];
  for (const key of Object.keys(env)) if (/^SIGSTACK_.*_PORT$/.test(key)) delete env[key];
  return env;
}

export interface Launched {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code. */
  readonly exit: Promise<number | null>;
}

export function launch(args: readonly string[], env: NodeJS.ProcessEnv): Launched {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Launched = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (c: Buffer) => (run.stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (run.stderr += c.toString('utf8')));
  return run;
}

/** Waits for the banner (resolves true) or for the launcher to exit (false). */
export async function waitUp(run: Launched, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.exit.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (run.stdout.includes('Ctrl-C stops it.')) return true;
    if (exited) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the stack did not come up within ${timeoutMs} ms:\n${run.stderr}`);
}

/** The commands printed under "Try it", in order. */
export function printedCommands(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Try it in another terminal'));
  const out: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('    ')) break;
    out.push(line.trim());
  }
  return out;
}
