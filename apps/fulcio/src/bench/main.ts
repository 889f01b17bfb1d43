// Benchmark of Fulcio (`npx nx run fulcio:bench`, `-- --json` for one JSON object as the last line).
//
// Fulcio runs as its own process (node dist/main.js, as deployed) with a file CA whose
// P-256 key this process generated, so the bare signing rate of that very key can be
// measured here, in the same run, as the ceiling. The IdP (discovery and JWKS, fetched
// once) is served from this process; the CT log is a second child process (this file
// with --ct-log) that signs an SCT per precertificate, as an RFC 6962 log does before
// any storage. autocannon drives POST /api/v2/signingCert over loopback with bodies made
// in advance (each its own key, proof and token), at 1, 16 and 64 connections, with CT
// off and on. A per-certificate profile of the same code runs in-process.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SignJWT, exportJWK, generateKeyPair as joseKeyPair } from 'jose';
import { encodePem, exportPrivateKey, generateKeyPair, keyId, keySigner, sign } from '@sigstack/crypto';
import { encodeDigitallySigned, issuerKeyHash, precertTbs, sctSignedData, signDigitallySigned, splitCertificate } from '@sigstack/x509';
import { CertificateAuthority } from '../ca/authority.js';
import { generateCaChain } from '../ca/backends.js';
import { parseIdentityConfig } from '../identity/config.js';
import { principalFor } from '../identity/principal.js';
import { TokenVerifier } from '../identity/verifier.js';
import { checkProofOfPossession, parseClientKey } from '../keys.js';

const TARGETS = { noCt16: 1500, ct16: 800, p99NoCtMs: 50 };
const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const duration = option('--duration', 6);
const here = dirname(fileURLToPath(import.meta.url));

if (args.includes('--ct-log')) await ctLogProcess();
else await main();

/** The CT log child: answers add-pre-chain with a fresh SCT from its own P-256 key. */
async function ctLogProcess(): Promise<void> {
  const { privateKey } = await generateKeyPair('ecdsa-p256');
  const logId = Buffer.from(keyId(privateKey.publicKey)).toString('base64');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { chain } = JSON.parse(Buffer.concat(chunks).toString()) as { chain: string[] };
      const [pre, issuer] = chain.map((c) => new Uint8Array(Buffer.from(c, 'base64'))) as [Uint8Array, Uint8Array];
      const entry = { type: 'precert_entry' as const, issuerKeyHash: issuerKeyHash(splitCertificate(issuer)), tbsCertificate: precertTbs(splitCertificate(pre)) };
      const timestamp = Date.now();
      const signature = signDigitallySigned(privateKey, sctSignedData({ timestamp, extensions: new Uint8Array() }, entry));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          sct_version: 0,
          id: logId,
          timestamp,
          extensions: '',
          signature: Buffer.from(encodeDigitallySigned(signature)).toString('base64'),
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('fulcio did not become ready');
}

async function rate(fn: () => unknown, ms: number): Promise<number> {
  for (let i = 0; i < 100; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  return (n * 1000) / (performance.now() - start);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fulcio-bench-'));
  const children: ChildProcess[] = [];
  try {
    // The IdP: one RS256 key, discovery and JWKS.
    const idpKey = await joseKeyPair('RS256');
    const jwk = { ...(await exportJWK(idpKey.publicKey)), kid: 'k1', alg: 'RS256' };
    let issuer = '';
    const idp = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url?.endsWith('openid-configuration') ? { issuer, jwks_uri: `${issuer}/jwks` } : { keys: [jwk] }));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const issuerConfig = `oidc-issuers:\n  ${issuer}:\n    issuer-url: ${issuer}\n    client-id: sigstore\n    type: email\n`;
    await writeFile(join(dir, 'issuers.yaml'), issuerConfig);

    // The CA key and chain, as files (the file backend), so this process holds the same key.
    const { key, chain } = await generateCaChain({ keyType: 'ecdsa-p256' });
    await writeFile(join(dir, 'ca.key'), exportPrivateKey(key, 'pem'));
    await writeFile(join(dir, 'ca.pem'), chain.map((der) => encodePem('CERTIFICATE', der)).join(''));

    // Bodies made in advance: the load generator only sends bytes.
    const bodies: string[] = [];
    const tokens: string[] = [];
    for (let i = 0; i < 200; i++) {
      const email = `user${i}@example.com`;
      const token = await new SignJWT({ email, email_verified: true, sub: `u${i}`, aud: 'sigstore' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(idpKey.privateKey);
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      tokens.push(token);
      bodies.push(
        JSON.stringify({
          credentials: { oidcIdentityToken: token },
          publicKeyRequest: {
            publicKey: { algorithm: 'ECDSA', content: pair.publicKey.export({ format: 'pem', type: 'spki' }) },
            proofOfPossession: nodeSign('sha256', Buffer.from(email), pair.privateKey).toString('base64'),
          },
        }),
      );
    }

    const ctChild = spawn(process.execPath, [fileURLToPath(import.meta.url), '--ct-log'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(ctChild);
    const ctPort = await new Promise<number>((resolve) => ctChild.once('message', (m: { port: number }) => resolve(m.port)));

    const startFulcio = async (ct: boolean) => {
      const port = await freePort();
      const child = spawn(process.execPath, [join(here, '..', 'main.js')], {
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          ISSUER_CONFIG_FILE: join(dir, 'issuers.yaml'),
          CA: 'file',
          CA_KEY_FILE: join(dir, 'ca.key'),
          CA_CHAIN_FILE: join(dir, 'ca.pem'),
          CT_LOG_URL: ct ? `http://127.0.0.1:${ctPort}` : 'off',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url);
      return { url, stop: () => child.kill('SIGTERM') };
    };

    const runs: { ct: boolean; connections: number; perSecond: number; p50: number; p99: number; errors: number; non2xx: number }[] = [];
    for (const ct of [false, true]) {
      const server = await startFulcio(ct);
      for (const connections of [1, 16, 64]) {
        let i = 0;
        const result = await autocannon({
          url: `${server.url}/api/v2/signingCert`,
          connections,
          duration: connections === 1 ? Math.max(2, duration / 2) : duration,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
        });
        runs.push({ ct, connections, perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx });
      }
      server.stop();
    }

    // The ceiling: bare ECDSA P-256 signing with the CA's key, over certificate-sized input.
    const tbsSized = new Uint8Array(700).fill(7);
    const bareSigning = await rate(() => sign(key, tbsSized), 1500);

    // Per-certificate profile of the same code, in-process.
    const identity = parseIdentityConfig(issuerConfig);
    const verifier = new TokenVerifier(identity, { clockToleranceSec: 30, fetchTimeoutMs: 5000, jwksCooldownMs: 10_000 });
    const ca = new CertificateAuthority({ signer: keySigner(key), chain }, { lifetimeMs: 600_000 });
    const parsedBodies = bodies.map((b) => JSON.parse(b) as { publicKeyRequest: { publicKey: { content: string }; proofOfPossession: string } });
    let j = 0;
    const verified = await verifier.verify(tokens[0] as string);
    const principal = principalFor(verified, identity);
    const client = parseClientKey(parsedBodies[0]?.publicKeyRequest.publicKey.content ?? '');
    const proof = new Uint8Array(Buffer.from(parsedBodies[0]?.publicKeyRequest.proofOfPossession ?? '', 'base64'));
    const profile = {
      tokenVerifyUs: 1e6 / (await rate(() => verifier.verify(tokens[j++ % tokens.length] as string), 1000)),
      principalUs: 1e6 / (await rate(() => principalFor(verified, identity), 300)),
      keyParseUs: 1e6 / (await rate(() => parseClientKey(parsedBodies[j++ % parsedBodies.length]?.publicKeyRequest.publicKey.content ?? ''), 500)),
      popVerifyUs: 1e6 / (await rate(() => checkProofOfPossession(client, principal.name, proof), 1000)),
      certificateUs: 1e6 / (await rate(() => ca.certificate(client.spki, principal.identity), 1000)),
      signOnlyUs: 1e6 / bareSigning,
      jsonParseUs: 1e6 / (await rate(() => JSON.parse(bodies[j++ % bodies.length] as string), 300)),
    };

    const load = loadavg().map((l) => Math.round(l * 100) / 100);
    const at16 = (ct: boolean) => runs.find((r) => r.ct === ct && r.connections === 16);
    const summary = {
      bench: 'fulcio',
      durationSeconds: duration,
      loadAverage: load,
      cpus: cpus().length,
      bareSigningPerSecond: Math.round(bareSigning),
      runs: runs.map((r) => ({ ...r, perSecond: Math.round(r.perSecond), ratioToSigning: Math.round((r.perSecond / bareSigning) * 1000) / 1000 })),
      targets: {
        noCt16: { target: TARGETS.noCt16, measured: Math.round(at16(false)?.perSecond ?? 0), met: (at16(false)?.perSecond ?? 0) >= TARGETS.noCt16 },
        ct16: { target: TARGETS.ct16, measured: Math.round(at16(true)?.perSecond ?? 0), met: (at16(true)?.perSecond ?? 0) >= TARGETS.ct16 },
        p99NoCt16Ms: { target: TARGETS.p99NoCtMs, measured: at16(false)?.p99 ?? 0, met: (at16(false)?.p99 ?? Infinity) < TARGETS.p99NoCtMs },
      },
      profileMicroseconds: Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, Math.round(v * 10) / 10])),
    };

    console.log(`Fulcio benchmark (${summary.cpus} CPUs, load average ${load.join(' ')}), bare ECDSA P-256 signing with the CA key: ${summary.bareSigningPerSecond}/s`);
    console.log('CT   conns  certs/s  p50 ms  p99 ms  errors  non2xx  ratio to signing');
    for (const r of summary.runs) {
      console.log(
        `${r.ct ? 'on ' : 'off'}  ${String(r.connections).padStart(5)}  ${String(r.perSecond).padStart(7)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.errors).padStart(6)}  ${String(r.non2xx).padStart(6)}  ${r.ratioToSigning}`,
      );
    }
    console.log('per certificate (in-process, microseconds):', summary.profileMicroseconds);
    console.log('targets:', JSON.stringify(summary.targets));
    if (json) console.log(JSON.stringify(summary));
    idp.close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}
