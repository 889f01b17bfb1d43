// The local services for interop tests: the BUILT apps (apps/*/dist/main.js) as child
// processes on free loopback ports, configured by environment variables as their docs say.
// (Apps never import apps: only their built entry points are run.)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportPublicKey, importPrivateKey } from '@sigstack/crypto';
import { freePort, freePorts, workspaceRoot } from '@sigstack/testing';

export interface RunningApp {
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`app at ${url} not ready: ${log()}`);
}

export async function startApp(app: string, env: Record<string, string>, port?: number): Promise<RunningApp> {
  const p = port ?? (await freePort());
  const dataDir = mkdtempSync(path.join(tmpdir(), `sigstack-cli-${app}-`));
  const child = spawn(process.execPath, [path.join(workspaceRoot(), 'apps', app, 'dist', 'main.js')], {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: String(p), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${p}`;
  await waitReady(url, child, () => output.slice(-2000));
  return {
    url,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface KeyStack {
  readonly rekor: RunningApp;
  readonly tsa: RunningApp;
  readonly dir: string;
  readonly rekorV1Pub: string;
  readonly rekorV2Pub: string;
  readonly rekorV2Origin: string;
  readonly tsaChain: string;
  stop(): Promise<void>;
}

/** Rekor (v1 and v2 logs) and the TSA, plus their public trust material as files in `dir`. */
export async function startKeyStack(): Promise<KeyStack> {
  const rekorPort = await freePort();
  const origin = `127.0.0.1:${rekorPort}`;
  const [rekor, tsa] = await Promise.all([
    startApp('rekor', { REKOR_HOSTNAME: '127.0.0.1', REKOR_V2_ORIGIN: origin }, rekorPort),
    startApp('tsa', {}),
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'sigstack-cli-stack-'));
  const rekorV1Pub = path.join(dir, 'rekor-v1.pub');
  writeFileSync(rekorV1Pub, await (await fetch(`${rekor.url}/api/v1/log/publicKey`)).text());
  const rekorV2Pub = path.join(dir, 'rekor-v2.pub');
  writeFileSync(rekorV2Pub, exportPublicKey(importPrivateKey(readFileSync(path.join(rekor.dataDir, 'rekor-v2-key.pem'), 'utf8')).publicKey, 'pem'));
  const tsaChain = path.join(dir, 'tsa-chain.pem');
  writeFileSync(tsaChain, await (await fetch(`${tsa.url}/api/v1/timestamp/certchain`)).text());
  return {
    rekor,
    tsa,
    dir,
    rekorV1Pub,
    rekorV2Pub,
    rekorV2Origin: origin,
    tsaChain,
    stop: async () => {
      await Promise.all([rekor.stop(), tsa.stop()]);
    },
  };
}

export interface KeylessStack extends KeyStack {
  readonly oidc: RunningApp;
  readonly fulcio: RunningApp;
  readonly ctlog: RunningApp;
  readonly fulcioChain: string;
  readonly ctlogPub: string;
  /** A GitHub Actions workload token from the dev OIDC provider (apps/oidc). */
  workloadToken(): Promise<string>;
}

const WORKLOAD_SECRET = 'sigstack-cli-test-workload-secret';

/** Everything keyless signing needs: OIDC, Fulcio (ephemeral CA) and its CT log, Rekor, TSA. */
export async function startKeylessStack(): Promise<KeylessStack> {
  const [oidcPort, ctPort] = (await freePorts(2)) as [number, number];
  const issuer = `http://127.0.0.1:${oidcPort}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'sigstack-cli-keyless-'));
  const issuers = path.join(dir, 'issuers.yaml');
  writeFileSync(
    issuers,
    `oidc-issuers:\n  ${issuer}:\n    issuer-url: ${issuer}\n    client-id: sigstore\n    type: email\n  ${issuer}/workloads/github-actions:\n    issuer-url: ${issuer}/workloads/github-actions\n    client-id: sigstore\n    type: github-workflow\n`,
  );
  const [keys, oidc, fulcio] = await Promise.all([
    startKeyStack(),
    startApp('oidc', { ISSUER_URL: issuer, WORKLOAD_SECRET }, oidcPort),
    startApp('fulcio', { ISSUER_CONFIG_FILE: issuers, CA: 'ephemeral', CT_LOG_URL: `http://127.0.0.1:${ctPort}` }),
  ]);
  const bundle = (await (await fetch(`${fulcio.url}/api/v2/trustBundle`)).json()) as { chains: { certificates: string[] }[] };
  const chainPems = bundle.chains[0]?.certificates ?? [];
  const fulcioChain = path.join(dir, 'fulcio-chain.pem');
  writeFileSync(fulcioChain, chainPems.map((c) => (c.endsWith('\n') ? c : `${c}\n`)).join(''));
  const fulcioRoot = path.join(dir, 'fulcio-root.pem');
  writeFileSync(fulcioRoot, chainPems[chainPems.length - 1] ?? '');
  const ctlog = await startApp('ctlog', { CTLOG_ROOTS: fulcioRoot }, ctPort);
  const ctlogPub = path.join(dir, 'ctlog.pub');
  writeFileSync(ctlogPub, exportPublicKey(importPrivateKey(readFileSync(path.join(ctlog.dataDir, 'ctlog-key.pem'), 'utf8')).publicKey, 'pem'));
  return {
    ...keys,
    oidc,
    fulcio,
    ctlog,
    fulcioChain,
    ctlogPub,
    async workloadToken() {
      const res = await fetch(`${oidc.url}/workload/token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WORKLOAD_SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workload: 'github-actions' }),
      });
      if (!res.ok) throw new Error(`workload token: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    stop: async () => {
      await Promise.all([keys.stop(), oidc.stop(), fulcio.stop(), ctlog.stop()]);
    },
  };
}
