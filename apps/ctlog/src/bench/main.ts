// Benchmark of the CT log (`npx nx run ctlog:bench`, `-- --json` for one JSON object as the last line).
//
// The log runs as its own process (node dist/main.js, as deployed: embedded PGlite in a
// fresh DATA_DIR, or PostgreSQL when DATABASE_URL is set) trusting a generated
// Fulcio-shaped root. This process pre-issues distinct precertificates (as Fulcio submits
// them, each with 20+ extensions) and drives add-pre-chain with autocannon over loopback,
// 16 connections; every SCT is answered only after its batch committed. The bare signing
// rate of the same log key is measured here too, in the same run, as the ceiling the
// throughput is reported against.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { encodePem, exportPrivateKey, generateKeyPair, sign } from '@sigstack/crypto';
import { makeBenchPki } from './pki.js';

const TARGET = 2000;
const args = process.argv.slice(2);
const json = args.includes('--json');
const x509Entries = args.includes('--x509');
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const duration = option('--duration', 10);
const connections = option('--connections', 16);
const warmup = option('--warmup', 2);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the CT log did not become ready');
}

/** Operations per second of `fn` over about `ms` milliseconds. */
function rate(fn: () => unknown, ms: number): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dataDir = await mkdtemp(join(tmpdir(), 'ctlog-bench-'));
  const pki = makeBenchPki(!x509Entries);
  const { privateKey: logKey } = await generateKeyPair('ecdsa-p256');
  await writeFile(join(dataDir, 'roots.pem'), encodePem('CERTIFICATE', pki.root));
  await writeFile(join(dataDir, 'log-key.pem'), exportPrivateKey(logKey, 'pem'), { mode: 0o600 });

  // Distinct submissions: enough for the run at twice the target, each body ready to send.
  const count = Math.ceil((duration + warmup) * TARGET * 2);
  const intermediate = pki.intermediate.toString('base64');
  const generated = performance.now();
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push(`{"chain":["${pki.leaf().toString('base64')}","${intermediate}"]}`);
  const generateSeconds = (performance.now() - generated) / 1000;

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const storage = process.env['DATABASE_URL'] ? 'postgres' : 'pglite';
  // CTLOG_BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
  const nodeArgs = (process.env['CTLOG_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...nodeArgs, join(here, '..', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      CONFIG_FILE: '',
      CTLOG_ROOTS: join(dataDir, 'roots.pem'),
      CTLOG_KEY_FILE: join(dataDir, 'log-key.pem'),
      CTLOG_LOG_NAME: `bench-${Date.now()}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(url, Date.now() + 60_000);
    const path = x509Entries ? '/ct/v1/add-chain' : '/ct/v1/add-pre-chain';
    let next = 0;
    const probe = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[next++] });
    if (probe.status !== 200) throw new Error(`the CT log answered ${probe.status} to the benchmark chain: ${await probe.text()}`);

    const load = (seconds: number) =>
      autocannon({
        url: url + path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % count] }) }],
      });
    await load(warmup);
    const startIndex = next;
    const result = await load(duration);
    const reused = Math.max(0, next - count);
    // Measured after the load, with the server idle, on this process's core: the ceiling.
    const signsPerSecond = rate(() => sign(logKey, new Uint8Array(200)), 2000);

    const sctsPerSecond = result['2xx'] / result.duration;
    const report = {
      sctsPerSecond: Math.round(sctsPerSecond),
      target: TARGET,
      meetsTarget: sctsPerSecond >= TARGET && result.non2xx === 0,
      p50LatencyMs: result.latency.p50,
      p99LatencyMs: result.latency.p99,
      signsPerSecond: Math.round(signsPerSecond),
      ratioToSigning: Number((sctsPerSecond / signsPerSecond).toFixed(3)),
      connections,
      durationSeconds: result.duration,
      entry: x509Entries ? 'x509_entry' : 'precert_entry',
      storage,
      requests: result.requests.total,
      submissions: next - startIndex,
      reusedSubmissions: reused,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      leafBytes: Buffer.from(bodies[0] ?? '', 'utf8').length,
      generateSeconds: Number(generateSeconds.toFixed(1)),
    };
    const rows: [string, string][] = [
      ['SCTs/s (16 clients)', `${report.sctsPerSecond} (target ${TARGET}: ${report.meetsTarget ? 'met' : 'NOT met'})`],
      ['latency p50 / p99', `${report.p50LatencyMs} ms / ${report.p99LatencyMs} ms`],
      ['bare signing rate, same key', `${report.signsPerSecond}/s`],
      ['ratio to bare signing', String(report.ratioToSigning)],
      ['entry type / storage', `${report.entry} / ${storage}`],
      ['requests / non-2xx / errors', `${report.requests} / ${report.non2xx} / ${report.errors}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    if (json) console.log(JSON.stringify(report));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
