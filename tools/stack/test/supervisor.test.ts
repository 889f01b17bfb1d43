// The supervisor with a stand-in service (a few lines of Node serving /readyz), so restarts,
// backoff, giving up and replacement are tested in a second, without the real apps.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StackError } from '../src/errors.js';
import { SupervisedService } from '../src/supervisor.js';
import type { ServiceSpec } from '../src/supervisor.js';
import { freePorts } from './helpers.js';

// Serves GET /readyz (200) and GET /mark (the MARK variable). Counts its starts in
// COUNT_FILE; with CRASH_AFTER=N every start after the Nth writes "boom" and exits 3.
const FAKE_SERVICE = `
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
const file = process.env.COUNT_FILE;
appendFileSync(file, 'x');
const starts = readFileSync(file, 'utf8').length;
if (process.env.CRASH_AFTER && starts > Number(process.env.CRASH_AFTER)) {
  process.stderr.write('boom\\n');
  process.exit(3);
}
createServer((req, res) => res.end(req.url === '/mark' ? process.env.MARK : 'ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

const POLICY = { initialBackoffMs: 20, maxBackoffMs: 100, maxRestarts: 3, windowMs: 60_000 };

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('SupervisedService', () => {
  let dir: string;
  let entry: string;
  const started: SupervisedService[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigstack-supervisor-'));
    entry = path.join(dir, 'fake-service.mjs');
    writeFileSync(entry, FAKE_SERVICE);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop(2_000)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function spec(name: string, env: Record<string, string> = {}): Promise<ServiceSpec> {
    const port = (await freePorts()).rekor;
    return {
      name,
      label: `the ${name} service`,
      entry,
      env: { PATH: process.env['PATH'] ?? '', PORT: String(port), COUNT_FILE: path.join(dir, `${name}.count`), ...env },
      url: `http://127.0.0.1:${port}`,
      logFile: path.join(dir, `${name}.log`),
    };
  }

  function start(s: ServiceSpec, lines: string[], onReady?: (service: SupervisedService) => void) {
    const service = SupervisedService.start(s, { echo: false, readyTimeoutMs: 10_000, policy: POLICY, progress: (l) => lines.push(l), ...(onReady ? { onReady } : {}) });
    started.push(service);
    return service;
  }

  it('starts a killed service again, says so, and reports the new process', async () => {
    const lines: string[] = [];
    const readyPids: number[] = [];
    const s = await spec('killed');
    const service = start(s, lines, (svc) => void readyPids.push(svc.pid as number));
    await service.ready();
    service.supervise();
    const first = service.pid as number;
    process.kill(first, 'SIGKILL');
    const second = await until('a new process', () => (service.restarts === 1 && readyPids.length === 2 ? service.pid : undefined));
    expect(second).not.toBe(first);
    expect(readyPids).toEqual([first, second]);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect(lines[0]).toMatch(/^the killed service was killed by SIGKILL; restarting it in 0\.0 s \(restart 1 of at most 3 within 60 s; log: .*killed\.log\)$/);
    expect(lines[1]).toBe(`the killed service is ready again at ${s.url} (process ${second}, restart 1)`);
    // The log file holds both processes' starts.
    expect(readFileSync(s.logFile, 'utf8').match(/starting killed/g)).toHaveLength(2);
  });

  it('gives up on a service that keeps dying, with its last output', async () => {
    const lines: string[] = [];
    const s = await spec('crashing', { CRASH_AFTER: '1' });
    const service = start(s, lines);
    await service.ready();
    service.supervise();
    process.kill(service.pid as number, 'SIGKILL');
    const error = await service.failure;
    expect(error).toBeInstanceOf(StackError);
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.message).toMatch(/^the crashing service exited with code 3, and was restarted 3 times within 60 s; giving up \(full log: .*\); its last output:\n {4}boom$/);
    expect(lines.filter((l) => l.includes('restarting it'))).toHaveLength(3);
    expect(lines.at(-1)).toBe('the crashing service exited with code 3 again; giving up after 3 restarts within 60 s');
    // One first start and three restarts.
    expect(readFileSync(path.join(dir, 'crashing.count'), 'utf8')).toHaveLength(4);
  });

  it('does not restart a service that was stopped, nor one that dies before supervise()', async () => {
    const lines: string[] = [];
    const s = await spec('stopped');
    const service = start(s, lines);
    await service.ready();
    service.supervise();
    await service.stop(2_000);
    expect(service.running).toBe(false);
    const other = start(await spec('unsupervised'), lines);
    await other.ready();
    process.kill(other.pid as number, 'SIGKILL');
    await until('the exit', () => (other.running ? undefined : true));
    expect(lines).toEqual([]);
    expect(readFileSync(path.join(dir, 'stopped.count'), 'utf8')).toHaveLength(1);
  });

  it('replaces the process with one from another spec, without counting a restart', async () => {
    const lines: string[] = [];
    const s = await spec('replaced', { MARK: 'old' });
    const service = start(s, lines);
    await service.ready();
    service.supervise();
    const first = service.pid;
    let between = false;
    await service.replace(2_000, async () => {
      between = true;
      expect(service.running).toBe(false);
      return { ...s, env: { ...s.env, MARK: 'new' } };
    });
    expect(between).toBe(true);
    expect(service.pid).not.toBe(first);
    expect(await (await fetch(`${s.url}/mark`)).text()).toBe('new');
    expect(service.restarts).toBe(0);
    expect(lines).toEqual([]);
    // Still supervised after the replacement.
    process.kill(service.pid as number, 'SIGKILL');
    await until('a restart', () => (service.restarts === 1 && service.running ? true : undefined));
    await until('readiness', async () => ((await fetch(`${s.url}/mark`).then((r) => r.text()).catch(() => '')) === 'new' ? true : undefined));
  });

  it('starts the old spec again when the replacement spec cannot be made', async () => {
    const lines: string[] = [];
    const s = await spec('unreplaced', { MARK: 'old' });
    const service = start(s, lines);
    await service.ready();
    service.supervise();
    await expect(service.replace(2_000, () => Promise.reject(new Error('no key')))).rejects.toThrow('no key');
    await until('the old spec running again', async () => ((await fetch(`${s.url}/mark`).then((r) => r.text()).catch(() => '')) === 'old' ? true : undefined));
    expect(service.restarts).toBe(1);
  });

  it('refuses to start an app that is not built', async () => {
    const s = await spec('missing');
    expect(() => SupervisedService.start({ ...s, entry: path.join(dir, 'nope.js') }, { echo: false, readyTimeoutMs: 1000, progress: () => undefined })).toThrow(/is not built/);
    expect(existsSync(path.join(dir, 'missing.log'))).toBe(false);
  });
});
