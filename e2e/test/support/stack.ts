// The e2e suite's one way to get a stack: the real launcher (`npm start`'s
// tools/stack/dist/main.js) booted from scratch in a temporary state folder, on free ports,
// with a private HOME so nothing a developer has (a running stack, a sigstack TUF cache)
// leaks in. On PostgreSQL each boot gets a database of its own, dropped afterwards.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { devToken } from '@sigstack/dev-token';
import { freePorts as freeLoopbackPorts, workspaceRoot } from '@sigstack/testing';

export const ROOT = workspaceRoot();
const LAUNCHER = path.join(ROOT, 'tools', 'stack', 'dist', 'main.js');
const SIGSTACK = path.join(ROOT, 'apps', 'cli', 'bin', 'sigstack.mjs');
const SERVICES = ['oidc', 'fulcio', 'rekor', 'ctlog', 'tsa', 'tuf'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The storage backends the suite runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export type Backend = 'pglite' | 'postgres';
export function backends(): Backend[] {
  return process.env['DATABASE_URL'] ? ['pglite', 'postgres'] : ['pglite'];
}

/** `<state>/stack.json`, as the launcher writes it. */
export interface StackFile {
  readonly services: Readonly<Record<ServiceName, string>>;
  readonly tufRoot: string;
  readonly signingConfig: string;
  readonly trustedRoot: string;
  readonly devToken: { readonly workloadTokenUrl: string; readonly workloadSecretFile: string; readonly profiles: { users: string[]; workloads: string[] } };
  readonly identities: { readonly user: Identity; readonly workload: Identity };
  readonly rekorV2: { readonly url: string; readonly origin: string };
  readonly commands: readonly string[];
  readonly state: string;
  readonly pid: number | null;
}
export interface Identity {
  readonly profile: string;
  readonly identity: string;
  readonly issuer: string;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Stack {
  readonly backend: Backend;
  /** The state folder (the launcher's --state). */
  readonly state: string;
  /** A scratch folder for the test's own files (artifacts, keys, bundles). */
  readonly work: string;
  readonly info: StackFile;
  /** The environment every client command runs with (private HOME and config dir). */
  readonly env: NodeJS.ProcessEnv;
  /** The launcher's output so far. */
  output(): { stdout: string; stderr: string };
  /** Runs the bundled client (`npx sigstack ...`, through its bin shim) in `work`. */
  sigstack(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<CommandResult>;
  /** A fresh ID token from the stack's dev OIDC provider (a user or a workload profile). */
  token(profile: string): Promise<string>;
  /** Stops the launcher (SIGTERM) and waits for it; the state folder stays. */
  stop(): Promise<void>;
  /** Starts the launcher again on the same state folder, ports and database. */
  restart(): Promise<void>;
  /** Stops the stack and removes every temporary folder and database. */
  dispose(): Promise<void>;
}

async function freePorts(): Promise<Record<ServiceName, number>> {
  const ports = await freeLoopbackPorts(SERVICES.length);
  return Object.fromEntries(SERVICES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>;
}

/** A database of its own on the server DATABASE_URL names, so boots never share a log. */
async function createDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sigstack_e2e_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs a command to its end and collects its output; SIGKILL after the timeout (60 s by default). */
export function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

interface Launcher {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exit: Promise<number | null>;
}

function startLauncher(args: readonly string[], env: NodeJS.ProcessEnv): Launcher {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const launcher: Launcher = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (c: Buffer) => (launcher.stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (launcher.stderr += c.toString('utf8')));
  return launcher;
}

async function waitUp(launcher: Launcher, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void launcher.exit.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (launcher.stdout.includes('Ctrl-C stops it.')) return;
    if (exited) throw new Error(`the stack exited before it was up:\n${launcher.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  launcher.child.kill('SIGKILL');
  throw new Error(`the stack did not come up within ${timeoutMs} ms:\n${launcher.stderr}`);
}

/** Boots a stack from scratch. Call dispose() in afterAll. */
export async function bootStack(backend: Backend, options: { upTimeoutMs?: number } = {}): Promise<Stack> {
  const base = mkdtempSync(path.join(tmpdir(), 'sigstack-e2e-'));
  const state = path.join(base, 'state');
  const home = path.join(base, 'home');
  const work = path.join(base, 'work');
  for (const dir of [home, work]) mkdirSync(dir, { recursive: true });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  // Nothing of a developer's own stack or CI job may leak into the run.
  for (const key of Object.keys(env)) {
    if (key.startsWith('SIGSTACK_') || key.startsWith('ACTIONS_ID_TOKEN_') || key === 'SIGSTORE_ID_TOKEN' || key === 'COSIGN_PASSWORD' || key === 'DATABASE_URL') delete env[key];
  }
  const database = backend === 'postgres' ? await createDatabase(process.env['DATABASE_URL'] as string) : undefined;
  const launcherEnv: NodeJS.ProcessEnv = { ...env, ...(database ? { DATABASE_URL: database.url } : {}) };
  const ports = await freePorts();
  const args = ['--state', state, ...SERVICES.flatMap((s) => [`--${s}-port`, String(ports[s])])];
  const upTimeout = options.upTimeoutMs ?? 180_000;

  let launcher = startLauncher(args, launcherEnv);
  try {
    await waitUp(launcher, upTimeout);
  } catch (error) {
    await database?.drop().catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const readInfo = () => JSON.parse(readFileSync(path.join(state, 'stack.json'), 'utf8')) as StackFile;
  let info = readInfo();

  const stop = async () => {
    if (launcher.child.exitCode !== null || launcher.child.signalCode !== null) return;
    launcher.child.kill('SIGTERM');
    const timer = setTimeout(() => launcher.child.kill('SIGKILL'), 20_000);
    await launcher.exit;
    clearTimeout(timer);
  };

  const stack: Stack = {
    backend,
    state,
    work,
    get info() {
      return info;
    },
    env,
    output: () => ({ stdout: launcher.stdout, stderr: launcher.stderr }),
    sigstack: (cliArgs, opts = {}) => run(process.execPath, [SIGSTACK, ...cliArgs], { cwd: work, env: opts.env ?? env, ...(opts.input === undefined ? {} : { input: opts.input }), timeoutMs: 120_000 }),
    token: (profile) => devToken({ issuer: info.services.oidc, workloadSecretFile: info.devToken.workloadSecretFile }, profile),
    stop,
    restart: async () => {
      await stop();
      launcher = startLauncher(args, launcherEnv);
      await waitUp(launcher, upTimeout);
      info = readInfo();
    },
    dispose: async () => {
      await stop();
      await database?.drop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
  return stack;
}
