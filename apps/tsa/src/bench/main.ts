// Benchmark of the TSA (`npx nx run tsa:bench`, `-- --json` for one JSON object as the last line).
//
// The server runs as its own process (node dist/main.js, as deployed) with a generated
// dev identity; autocannon drives it over loopback from this process with 16
// connections. The bare signing rate of the same key is measured here too, in the same
// run, so the throughput is also reported as a ratio to that ceiling. A profile of one
// token (parse, ASN.1 building, signing) comes from the same code, in-process.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { importPrivateKey, sign } from '@sigstack/crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { DerRequestParser } from '../request.js';
import { readChain } from '../identity.js';
import { counterSerials } from '../serial.js';
import { keySigner } from '../signer.js';
import type { Signer } from '../signer.js';
import { TokenBuilder } from '../token.js';
import type { AcceptedRequest } from '../token.js';

const TARGET = 3000;
const DISTINCT_QUERIES = 256;
const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const duration = option('--duration', 10);
const connections = option('--connections', 16);

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
  throw new Error('the TSA did not become ready');
}

/**
 * Queries as cosign sends them: SHA-256 imprint, a random 64-bit nonce, certReq. Each
 * is different (its own digest and nonce), as real traffic is; a nonce with its top bit
 * set takes a leading zero byte, so there are two query shapes, as with real clients.
 */
function cosignLikeQueries(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const nonce = randomBytes(8);
    nonce[0] = nonce[0] || 1;
    return Buffer.from(
      AsnConvert.serialize(
        new TimeStampReq({
          version: 1,
          messageImprint: new MessageImprint({
            hashAlgorithm: new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1', parameters: null }),
            hashedMessage: new OctetString(createHash('sha256').update(`benchmark artifact ${i}`).digest()),
          }),
          nonce: new Uint8Array((nonce[0] ?? 0) & 0x80 ? [0, ...nonce] : nonce).buffer,
          certReq: true,
        }),
      ),
    );
  });
}

/** Operations per second of `fn` over about `ms` milliseconds. */
async function rate(fn: () => unknown, ms: number): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

async function profile(signer: Signer, chain: Uint8Array[], queries: readonly Buffer[]) {
  const rules = { defaultPolicy: '1.3.6.1.4.1.57264.2', accepted: new Set(['1.3.6.1.4.1.57264.2']) };
  const options = { chain, accuracyMs: 1000, includeChain: false, serials: counterSerials() };
  const builder = new TokenBuilder({ ...options, signer });
  // The same token with signing taken out (a signature made once): the ASN.1 and hashing alone,
  // measured directly rather than as the difference of two rates.
  const signature = await signer.sign(new Uint8Array(220));
  const unsigned = new TokenBuilder({ ...options, signer: { ...signer, sign: async () => signature } });
  // As in the server: one parser and one builder, which learn the shapes on first use.
  const parser = new DerRequestParser(rules);
  const accepted = queries.map((q) => parser.parse(q));
  let i = 0;
  const parsePerSecond = await rate(() => parser.parse(queries[i++ % queries.length] as Buffer), 1000);
  const asn1PerSecond = await rate(() => unsigned.issue(accepted[i++ % accepted.length] as AcceptedRequest), 1000);
  const issuePerSecond = await rate(() => builder.issue(accepted[i++ % accepted.length] as AcceptedRequest), 1000);
  return { parseMicros: 1e6 / parsePerSecond, asn1Micros: 1e6 / asn1PerSecond, issueMicros: 1e6 / issuePerSecond };
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dataDir = await mkdtemp(join(tmpdir(), 'tsa-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [join(here, '..', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CONFIG_FILE: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(url, Date.now() + 30_000);
    const key = importPrivateKey(await readFile(join(dataDir, 'tsa-key.pem'), 'utf8'));
    const chain = readChain(await readFile(join(dataDir, 'tsa-chain.pem'), 'utf8'));
    const signer = keySigner(key);
    const queries = cosignLikeQueries(DISTINCT_QUERIES);
    const query = queries[0] as Buffer;

    // A sanity check before timing: the server grants this query.
    const probe = await fetch(`${url}/api/v1/timestamp`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query });
    if (probe.status !== 200) throw new Error(`the TSA answered ${probe.status} to the benchmark query`);

    const result = await autocannon({
      url: `${url}/api/v1/timestamp`,
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      // Each connection sends the queries in turn (autocannon encodes them all beforehand).
      requests: queries.map((body) => ({ method: 'POST', body })),
      connections,
      duration,
    });
    // Measured after the load, with the server idle, on this process's core.
    const signsPerSecond = await rate(() => sign(key, new Uint8Array(220)), 2000);
    const { parseMicros, asn1Micros, issueMicros } = await profile(signer, chain, queries);
    const signMicros = 1e6 / signsPerSecond;

    const timestampsPerSecond = result.requests.average;
    const report = {
      timestampsPerSecond: Math.round(timestampsPerSecond),
      target: TARGET,
      meetsTarget: timestampsPerSecond >= TARGET,
      p50LatencyMs: result.latency.p50,
      p99LatencyMs: result.latency.p99,
      signsPerSecond: Math.round(signsPerSecond),
      ratioToSigning: Number((timestampsPerSecond / signsPerSecond).toFixed(3)),
      connections,
      durationSeconds: duration,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      keyType: key.type,
      parseMicros: Number(parseMicros.toFixed(1)),
      asn1Micros: Number(asn1Micros.toFixed(1)),
      signMicros: Number(signMicros.toFixed(1)),
      httpMicros: Number(Math.max(0, 1e6 / timestampsPerSecond - parseMicros - issueMicros).toFixed(1)),
    };

    const rows: [string, string][] = [
      [`timestamps/s (${connections} clients)`, `${report.timestampsPerSecond} (target ${TARGET}: ${report.meetsTarget ? 'met' : 'NOT met'})`],
      ['latency p50 / p99', `${report.p50LatencyMs} ms / ${report.p99LatencyMs} ms`],
      ['bare signing rate (same key)', `${report.signsPerSecond}/s`],
      ['ratio to signing', String(report.ratioToSigning)],
      ['requests / non-2xx / errors', `${report.requests} / ${report.non2xx} / ${report.errors}`],
      ['per token: parse / ASN.1 / sign', `${report.parseMicros} / ${report.asn1Micros} / ${report.signMicros} us`],
      ['per token: HTTP and the rest', `${report.httpMicros} us`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`TSA benchmark: ${duration}s, ${connections} connections, ${report.keyType}, ${DISTINCT_QUERIES} distinct cosign-like DER queries`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    if (json) console.log(JSON.stringify(report));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
