import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// A child process needs JavaScript and nothing here may rely on a prior build, so the
// library's sources are transpiled into tmp/ inside the project: from there Node
// resolves fastify, pino and friends from the workspace's node_modules.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'tmp', `process-test-${process.pid}`);
const fixture = join(root, 'test', 'fixtures', 'shutdown-server.mjs');

beforeAll(() => {
  mkdirSync(out, { recursive: true });
  const src = join(root, 'src');
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Child {
  lines: Record<string, unknown>[];
  waitFor(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

const children: { kill(signal: NodeJS.Signals): unknown }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [fixture, out], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => String(line.msg).includes(w.msg))) w.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor: (msg) => {
      const seen = lines.find((l) => String(l.msg).includes(msg));
      if (seen) return Promise.resolve(seen);
      // A child that dies early fails the test at once instead of at its timeout.
      const died = exited.then((code) => Promise.reject(new Error(`child exited (${code}) before logging "${msg}"`)));
      return Promise.race([new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, resolve })), died]);
    },
  };
}

describe('graceful shutdown of a real process', () => {
  it('on SIGTERM finishes the in-flight request, runs close hooks and exits 0', async () => {
    const child = run({ SLOW_MS: '500' });
    const { url } = (await child.waitFor('fixture listening on')) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const inFlight = fetch(`${url}/slow`).then(async (res) => ({ status: res.status, body: await res.json() }));
    await child.waitFor('slow started');
    child.kill('SIGTERM');
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    expect(await child.exited).toBe(0);
    const messages = child.lines.map((l) => l.msg);
    expect(messages.indexOf('close hook ran')).toBeGreaterThan(messages.indexOf('shutting down'));
  });

  it('exits 1 when the in-flight work outlasts SHUTDOWN_TIMEOUT', async () => {
    const child = run({ SLOW_MS: '20000', SHUTDOWN_TIMEOUT: '300ms' });
    const { url } = (await child.waitFor('fixture listening on')) as { url: string };
    const controller = new AbortController();
    fetch(`${url}/slow`, { signal: controller.signal }).catch(() => undefined);
    await child.waitFor('slow started');
    const sent = Date.now();
    child.kill('SIGINT');
    expect(await child.exited).toBe(1);
    expect(Date.now() - sent).toBeLessThan(5_000);
    controller.abort();
  });

  it('refuses to start with a bad configuration, listing the problem', async () => {
    const child = spawn(process.execPath, [fixture, out], { env: { PATH: process.env.PATH ?? '', PORT: 'abc' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('PORT: must be an integer between 0 and 65535 (got "abc")');
  });
});
