// The launcher end to end: a first start in an empty state folder, the printed commands
// pasted into a shell, a clean stop, a restart on the same folder with the same trust root,
// and the one-line failures (port in use, broken state folder).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyRepository } from '@sigstack/scaffolding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Launched, Ports } from './helpers.js';
import { ROOT, SERVICES, freePorts, launch, portFlags, printedCommands, testEnv, waitUp } from './helpers.js';

const run = promisify(execFile);
// A loaded 2-core CI machine starts five Node services with two embedded databases slowly.
const FIRST_START_MS = 180_000;

interface StackJson {
  services: Record<(typeof SERVICES)[number], string>;
  tufRoot: string;
  signingConfig: string;
  trustedRoot: string;
  devToken: { command: string; workloadSecretFile: string; curl: string };
  commands: string[];
  pid: number | null;
  processes: Record<string, { pid: number | null; restarts?: number }>;
}

describe('npm start (the local stack launcher)', () => {
  let work: string;
  let state: string;
  let env: NodeJS.ProcessEnv;
  let ports: Ports;
  let stack: Launched | undefined;
  let firstRoot: Buffer;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'sigstack-stack-'));
    state = path.join(work, 'state');
    mkdirSync(path.join(work, 'home'));
    env = testEnv(path.join(work, 'home'));
  });

  afterAll(async () => {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill('SIGTERM');
      await stack.exit;
    }
    rmSync(work, { recursive: true, force: true });
  });

  const readStack = () => JSON.parse(readFileSync(path.join(state, 'stack.json'), 'utf8')) as StackJson;

  it('comes up from an empty state folder and prints where everything is', async () => {
    ports = await freePorts();
    stack = launch(['--state', state, ...portFlags(ports)], env);
    expect(await waitUp(stack, FIRST_START_MS), stack.stderr).toBe(true);
    const info = readStack();
    for (const service of SERVICES) expect(info.services[service]).toBe(`http://127.0.0.1:${ports[service]}`);
    expect(info.pid).toBe(stack.child.pid);
    for (const file of [info.tufRoot, info.signingConfig, info.trustedRoot, info.devToken.workloadSecretFile]) expect(existsSync(file), file).toBe(true);
    for (const service of SERVICES.filter((s) => s !== 'tuf')) {
      const response = await fetch(`${info.services[service]}/readyz`);
      expect(response.status, service).toBe(200);
    }
    expect(stack.stdout).toContain(info.services.tuf);
    expect(stack.stdout).toContain(info.tufRoot);
    expect(stack.stderr).toMatch(/generating the dev keys/);
    firstRoot = readFileSync(info.tufRoot);
  }, FIRST_START_MS + 10_000);

  it('serves a TUF repository that verifies from its root.json, listing every service', async () => {
    const info = readStack();
    const report = await verifyRepository({ repository: info.services.tuf, initialRoot: firstRoot });
    expect(report.targets.map((t) => t.name).sort()).toEqual(['signing_config.v0.2.json', 'trusted_root.json']);
    const root = report.trustedRoot!;
    expect(root.certificateAuthorities).toHaveLength(1);
    expect(root.ctlogs.map((l) => l.baseUrl)).toEqual([info.services.ctlog]);
    expect(root.tlogs.map((l) => l.baseUrl)).toEqual([info.services.rekor, info.services.rekor]);
    expect(root.timestampAuthorities).toHaveLength(1);
    const config = report.signingConfig!;
    expect(config.caUrls.map((s) => s.url)).toEqual([info.services.fulcio]);
    expect(config.oidcUrls.map((s) => s.url)).toEqual([info.services.oidc]);
    expect(config.rekorTlogUrls.map((s) => s.majorApiVersion).sort()).toEqual([1, 2]);
    expect(config.tsaUrls.map((s) => s.url)).toEqual([`${info.services.tsa}/api/v1/timestamp`]);
  });

  it('mints dev tokens for a person and for a CI workload, and refuses an unknown profile in one line', async () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const user = await run(process.execPath, [path.join(ROOT, 'tools/stack/dist/main.js'), 'dev-token', '--state', state], { env, cwd: ROOT });
    expect(claims(user.stdout.trim())).toMatchObject({ email: 'alice@example.com', aud: 'sigstore', iss: `http://127.0.0.1:${ports.oidc}` });
    const gha = await run(process.execPath, [path.join(ROOT, 'tools/stack/dist/main.js'), 'dev-token', '--state', state, '--profile', 'github-actions'], { env, cwd: ROOT });
    expect(claims(gha.stdout.trim())).toMatchObject({ iss: `http://127.0.0.1:${ports.oidc}/workloads/github-actions` });
    const bad = await run(process.execPath, [path.join(ROOT, 'tools/stack/dist/main.js'), 'dev-token', '--state', state, '--profile', 'nobody'], { env, cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    expect((bad as { stderr: string }).stderr).toMatch(/^sigstack-stack: TOKEN_FAILED: no user or workload profile named "nobody"/);
  });

  it('prints client commands that succeed when pasted into another terminal', async () => {
    const commands = printedCommands(stack!.stdout);
    expect(commands.some((c) => c.startsWith('npx sigstack sign-blob'))).toBe(true);
    expect(commands.some((c) => c.startsWith('npx sigstack verify-blob'))).toBe(true);
    for (const command of commands) {
      const result = await run('bash', ['-c', command], { env, cwd: ROOT, timeout: 120_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect((result as { code?: number }).code ?? 0, `${command}\n${(result as { stderr: string }).stderr}`).toBe(0);
    }
    expect(JSON.parse(readFileSync(path.join(state, 'demo', 'hello.txt.sigstore.json'), 'utf8'))).toHaveProperty('mediaType');
  }, 600_000);

  it('records every service\'s process, and starts a killed service again', async () => {
    const info = readStack();
    expect(Object.keys(info.processes).sort()).toEqual(SERVICES.filter((s) => s !== 'tuf').sort());
    for (const [name, p] of Object.entries(info.processes)) {
      expect(p.restarts, name).toBe(0);
      expect(() => process.kill(p.pid as number, 0), name).not.toThrow();
    }
    const killed = info.processes['rekor']!.pid as number;
    const started = Date.now();
    process.kill(killed, 'SIGKILL');
    // stack.json gets the new pid once the new process is ready.
    const deadline = Date.now() + 60_000;
    let now = readStack().processes['rekor']!;
    while (now.pid === killed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = readStack().processes['rekor']!;
    }
    console.log(`Rekor killed and ready again in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(now).toMatchObject({ restarts: 1 });
    expect(now.pid).not.toBe(killed);
    expect((await fetch(`${info.services.rekor}/api/v1/log`)).status).toBe(200);
    expect(stack!.stderr).toMatch(/Rekor was killed by SIGKILL; restarting it in 0\.3 s \(restart 1 of at most 5 within 60 s; log: .*rekor\.log\)\n/);
    expect(stack!.stderr).toContain(`Rekor is ready again at ${info.services.rekor} (process ${now.pid}, restart 1)`);
    expect(stack!.child.exitCode).toBeNull();
  }, 90_000);

  it('stops every service on SIGTERM and marks stack.json as stopped', async () => {
    stack!.child.kill('SIGTERM');
    expect(await stack!.exit).toBe(0);
    expect(stack!.stderr).toMatch(/Stopped\.\n$/);
    expect(readStack().pid).toBeNull();
    for (const p of Object.values(readStack().processes)) expect(p.pid).toBeNull();
    for (const service of SERVICES) {
      await expect(fetch(`http://127.0.0.1:${ports[service]}/readyz`), service).rejects.toThrow();
    }
  }, 60_000);

  it('restarts on the same state folder with the same trust root', async () => {
    const started = Date.now();
    stack = launch(['--state', state, ...portFlags(ports)], env);
    expect(await waitUp(stack, FIRST_START_MS), stack.stderr).toBe(true);
    const seconds = (Date.now() - started) / 1000;
    // The target is 10 s on an idle machine; the test machine is shared, so only report it.
    console.log(`restart on the same state folder: ready in ${seconds.toFixed(1)} s`);
    expect(stack.stdout).toContain('same logs and trust root as before');
    expect(stack.stderr).not.toMatch(/generating the dev keys/);
    const info = readStack();
    expect(readFileSync(info.tufRoot).equals(firstRoot)).toBe(true);
    const report = await verifyRepository({ repository: info.services.tuf, initialRoot: firstRoot });
    expect(report.roles.find((r) => r.role === 'root')?.version).toBe(1);
    expect(report.roles.find((r) => r.role === 'targets')?.version).toBe(1);
    stack.child.kill('SIGINT');
    expect(await stack.exit).toBe(0);
  }, FIRST_START_MS + 30_000);

  const rekorPublicKey = async () => (await fetch(`http://127.0.0.1:${ports.rekor}/api/v1/log/publicKey`)).text();
  const rotateKey = () => run(process.execPath, [path.join(ROOT, 'tools/stack/dist/main.js'), 'rotate-key', 'rekor', '--state', state], { env, cwd: ROOT });
  const openTlogs = () => (JSON.parse(readFileSync(path.join(state, 'trusted_root.json'), 'utf8')) as { tlogs: { publicKey: { validFor: { end?: string } } }[] }).tlogs;

  it('rotates Rekor\'s keys on a stopped stack; the next start signs with them and older bundles verify', async () => {
    const rotated = await rotateKey();
    expect(rotated.stdout).toMatch(/^Rekor's log keys are rotated at \S+ \(Rekor uses them at the next start\):\n/);
    expect(rotated.stdout).toMatch(/trusted_root\.json is published as TUF targets v2 \(timestamp v\d+\)/);
    expect(openTlogs().filter((t) => t.publicKey.validFor.end === undefined)).toHaveLength(2);
    expect(openTlogs()).toHaveLength(4);
    stack = launch(['--state', state, ...portFlags(ports)], env);
    expect(await waitUp(stack, FIRST_START_MS), stack.stderr).toBe(true);
    // The published trust root already lists the keys Rekor now serves: nothing to publish.
    expect(stack.stderr).toMatch(/the TUF repository is served at/);
    expect(await rekorPublicKey()).toBe(readFileSync(path.join(state, 'rekor', 'rekor-v1-key.2.pub'), 'utf8'));
    // The printed commands: the client refreshes its trust root, verifies the bundle made
    // before the rotation, signs under the new keys and verifies that too.
    const [, sign, verify, attest, verifyAttestation] = printedCommands(stack.stdout) as [string, string, string, string, string];
    for (const command of [verify, verifyAttestation, sign, verify, attest, verifyAttestation]) {
      const result = await run('bash', ['-c', command], { env, cwd: ROOT, timeout: 120_000 }).catch((e: { code: number; stderr: string }) => e);
      expect((result as { code?: number }).code ?? 0, `${command}\n${(result as { stderr: string }).stderr}`).toBe(0);
    }
  }, FIRST_START_MS + 120_000);

  it('rotates Rekor\'s keys on a running stack: Rekor restarts with them, new entries carry the new log ID', async () => {
    const before = readStack().processes['rekor']!;
    const rotated = await rotateKey();
    expect(rotated.stdout).toMatch(/^Rekor's log keys are rotated at \S+ \(Rekor restarted with them\):\n/);
    expect(rotated.stderr).toMatch(/Rotating Rekor's log keys: stopping Rekor\.\.\.\n.*take over at .*\n.*Rekor is ready with its new keys/);
    expect(stack!.stderr).toMatch(/Rotating Rekor's log keys: stopping Rekor/);
    const after = readStack().processes['rekor']!;
    expect(after.pid).not.toBe(before.pid);
    expect(after.restarts).toBe(before.restarts);
    expect(await rekorPublicKey()).toBe(readFileSync(path.join(state, 'rekor', 'rekor-v1-key.3.pub'), 'utf8'));
    const v2LogId = /Rekor v2 .*\n.*\n\s+-> ([0-9a-f]{64})/.exec(rotated.stdout)?.[1];
    const commands = printedCommands(stack!.stdout);
    const sign = commands.find((c) => c.startsWith('npx sigstack sign-blob'))!;
    const verify = commands.find((c) => c.startsWith('npx sigstack verify-blob'))!;
    for (const command of [verify, sign, verify]) {
      const result = await run('bash', ['-c', command], { env, cwd: ROOT, timeout: 120_000 }).catch((e: { code: number; stderr: string }) => e);
      expect((result as { code?: number }).code ?? 0, `${command}\n${(result as { stderr: string }).stderr}`).toBe(0);
    }
    const bundle = JSON.parse(readFileSync(path.join(state, 'demo', 'hello.txt.sigstore.json'), 'utf8')) as { verificationMaterial: { tlogEntries: { logId: { keyId: string } }[] } };
    expect(Buffer.from(bundle.verificationMaterial.tlogEntries[0]!.logId.keyId, 'base64').toString('hex')).toBe(v2LogId);
    stack!.child.kill('SIGTERM');
    expect(await stack!.exit).toBe(0);
  }, 180_000);

  it('names a port in use and the variable that moves it, in one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.fulcio, '127.0.0.1', resolve));
    try {
      const attempt = launch(['--state', state, ...portFlags(ports)], env);
      expect(await attempt.exit).toBe(1);
      expect(attempt.stderr.trim().split('\n')).toEqual([
        `sigstack-stack: PORT_IN_USE: port ${ports.fulcio} (Fulcio) on 127.0.0.1 is in use by another process; stop that process or choose another port with SIGSTACK_FULCIO_PORT=N (or --fulcio-port N)`,
      ]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 30_000);

  it('refuses a broken or foreign state folder in one line', async () => {
    const foreign = path.join(work, 'foreign');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'mine\n');
    const a = launch(['--state', foreign, ...portFlags(ports)], env);
    expect(await a.exit).toBe(1);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/^sigstack-stack: BAD_STATE: .*is not a sigstack state folder/);

    const damaged = path.join(work, 'damaged');
    mkdirSync(damaged);
    writeFileSync(path.join(damaged, 'stack-state.json'), '{"format": 1');
    const b = launch(['--state', damaged, ...portFlags(ports)], env);
    expect(await b.exit).toBe(1);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/^sigstack-stack: BAD_STATE: .*stack-state.json is damaged/);

    const keyless = path.join(work, 'keyless');
    mkdirSync(keyless);
    writeFileSync(path.join(keyless, 'stack-state.json'), JSON.stringify({ format: 1, id: 'abc', createdAt: new Date().toISOString(), complete: true }));
    writeFileSync(path.join(keyless, 'password'), 'x'.repeat(20));
    const c = launch(['--state', keyless, ...portFlags(ports)], env);
    expect(await c.exit).toBe(1);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.stderr).toMatch(/^sigstack-stack: BAD_STATE: the Fulcio CA .* is incomplete/);
  }, 60_000);
});
