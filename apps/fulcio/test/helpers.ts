import 'reflect-metadata';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { generateKeyPair as generateJoseKeyPair, exportJWK, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { generateKeyPair } from '@sigstack/crypto';
import type { PrivateKey } from '@sigstack/crypto';
import { encodeDigitallySigned, issuerKeyHash, precertTbs, signSct, splitCertificate } from '@sigstack/x509';
import { parseConfig } from '@sigstack/server';
import { buildFulcio, resolveServices } from '../src/app.js';
import type { FulcioServices } from '../src/app.js';
import { ephemeralBackend } from '../src/ca/backends.js';
import type { CaBackend } from '../src/ca/authority.js';
import { fulcioConfigSchema } from '../src/config.js';
import type { FulcioConfig } from '../src/config.js';
import type { CtLog } from '../src/ct/client.js';

export function testConfig(env: Record<string, string> = {}): FulcioConfig {
  return parseConfig(fulcioConfigSchema, { env: { LOG_LEVEL: 'silent', CT_LOG_URL: 'off', ...env } });
}

/** A tiny OIDC issuer on 127.0.0.1:0: discovery and JWKS, and a token minter. */
export interface TestIdp {
  readonly url: string;
  /** Issuer URL of a path under the server (a workload kind), or the root. */
  issuer(path?: string): string;
  token(claims: JWTPayload, options?: { issuerPath?: string; kid?: string; expiresIn?: number; alg?: string; key?: 'main' | 'rogue' }): Promise<string>;
  /** Publish a new signing key (rotation); returns its kid. */
  rotate(): Promise<string>;
  readonly jwksFetches: number;
  close(): Promise<void>;
}

type KeyPair = Awaited<ReturnType<typeof generateJoseKeyPair>>;

export async function startIdp(): Promise<TestIdp> {
  const keys: { kid: string; pair: KeyPair; jwk: JWK }[] = [];
  const addKey = async (kid: string) => {
    const pair = await generateJoseKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    keys.unshift({ kid, pair, jwk });
    return kid;
  };
  await addKey('key-1');
  const rogue = await generateJoseKeyPair('RS256');
  let jwksFetches = 0;
  let base = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.endsWith('/.well-known/openid-configuration')) {
      const issuer = base + path.slice(0, -'/.well-known/openid-configuration'.length);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${base}/jwks` }));
    } else if (path === '/jwks') {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let rotations = 1;
  return {
    url: base,
    issuer: (path = '') => base + path,
    async token(claims, options = {}) {
      const key = options.key === 'rogue' ? rogue.privateKey : (keys.find((k) => k.kid === (options.kid ?? keys[0]?.kid))?.pair.privateKey ?? rogue.privateKey);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ aud: 'sigstore', iat: now, ...claims })
        .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? keys[0]?.kid ?? 'none' })
        .setIssuer(base + (options.issuerPath ?? ''))
        .setExpirationTime(now + (options.expiresIn ?? 300))
        .sign(key);
    },
    async rotate() {
      rotations++;
      return addKey(`key-${rotations}`);
    },
    get jwksFetches() {
      return jwksFetches;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Fulcio's issuer config for a test IdP: people (email) at the root, CI kinds under /workloads/<kind>. */
export function idpIssuerConfig(idp: TestIdp, extra = ''): string {
  const i = (path: string) => idp.issuer(path);
  return `
oidc-issuers:
  ${i('')}:
    issuer-url: ${i('')}
    client-id: sigstore
    type: email
  ${i('/workloads/github')}:
    issuer-url: ${i('/workloads/github')}
    client-id: sigstore
    type: github-workflow
  ${i('/workloads/github-ci')}:
    issuer-url: ${i('/workloads/github-ci')}
    client-id: sigstore
    type: ci-provider
    ci-provider: github-workflow
  ${i('/workloads/gitlab')}:
    issuer-url: ${i('/workloads/gitlab')}
    client-id: sigstore
    type: gitlab-pipeline
  ${i('/workloads/spiffe')}:
    issuer-url: ${i('/workloads/spiffe')}
    client-id: sigstore
    type: spiffe
    spiffe-trust-domain: sigstack.test
  ${i('/workloads/k8s')}:
    issuer-url: ${i('/workloads/k8s')}
    client-id: sigstore
    type: kubernetes
  ${i('/workloads/uri')}:
    issuer-url: ${i('/workloads/uri')}
    client-id: sigstore
    type: uri
    subject-domain: http://127.0.0.1
  ${i('/workloads/username')}:
    issuer-url: ${i('/workloads/username')}
    client-id: sigstore
    type: username
    subject-domain: 127.0.0.1
  ${i('/workloads/buildkite')}:
    issuer-url: ${i('/workloads/buildkite')}
    client-id: sigstore
    type: buildkite-job
  ${i('/workloads/codefresh')}:
    issuer-url: ${i('/workloads/codefresh')}
    client-id: sigstore
    type: codefresh-workflow
  ${i('/workloads/chainguard')}:
    issuer-url: ${i('/workloads/chainguard')}
    client-id: sigstore
    type: chainguard-identity
  ${i('/workloads/entra')}:
    issuer-url: ${i('/workloads/entra')}
    client-id: sigstore
    type: email
    skip-email-verification: true
  ${i('/workloads/dex')}:
    issuer-url: ${i('/workloads/dex')}
    client-id: sigstore
    type: email
    issuer-claim: $.federated_claims.connector_id
meta-issuers:
  ${idp.url}/meta/*:
    client-id: sigstore
    type: kubernetes
ci-issuer-metadata:
  github-workflow:
    default-template-values:
      url: "https://github.com"
      environment: ""
    extension-templates:
      github-workflow-trigger: "event_name"
      build-signer-uri: "{{ .url }}/{{ .job_workflow_ref }}"
      source-repository-ref: "ref"
      run-invocation-uri: "{{ .url }}/{{ .repository }}/actions/runs/{{ .run_id }}/attempts/{{ .run_attempt }}"
      deployment-environment: "environment"
    subject-alternative-name-template: "{{ .url }}/{{ .job_workflow_ref }}"
${extra}`;
}

let sharedBackend: Promise<CaBackend> | undefined;

/** One ephemeral CA per test file (generating keys is the slow part). */
export function testBackend(): Promise<CaBackend> {
  sharedBackend ??= ephemeralBackend();
  return sharedBackend;
}

/** Services over a test IdP, with an optional CT log stand-in. */
export async function testServices(idp: TestIdp, options: { ctLog?: CtLog; env?: Record<string, string> } = {}): Promise<{ config: FulcioConfig; services: FulcioServices }> {
  const dir = await mkdtemp(join(tmpdir(), 'fulcio-test-'));
  const file = join(dir, 'issuers.yaml');
  await writeFile(file, idpIssuerConfig(idp));
  const config = testConfig({ ISSUER_CONFIG_FILE: file, ...options.env });
  const services = await resolveServices(config, await testBackend());
  return { config, services: options.ctLog ? { ...services, ctLog: options.ctLog } : services };
}

export async function testApp(idp: TestIdp, options: { ctLog?: CtLog; env?: Record<string, string> } = {}) {
  const { config, services } = await testServices(idp, options);
  return { app: await buildFulcio({ config, services }), services };
}

export const GITHUB_CLAIMS = {
  sub: 'repo:octo/widgets:ref:refs/heads/main',
  job_workflow_ref: 'octo/widgets/.github/workflows/release.yml@refs/heads/main',
  sha: 'a'.repeat(40),
  event_name: 'push',
  repository: 'octo/widgets',
  workflow: 'release',
  ref: 'refs/heads/main',
  job_workflow_sha: 'b'.repeat(40),
  runner_environment: 'github-hosted',
  repository_id: '1234',
  repository_owner: 'octo',
  repository_owner_id: '99',
  repository_visibility: 'public',
  workflow_ref: 'octo/widgets/.github/workflows/release.yml@refs/heads/main',
  workflow_sha: 'c'.repeat(40),
  run_id: '777',
  run_attempt: '1',
};

/** An RFC 6962 log stand-in: checks the submission is a precert chain and signs an SCT for it. */
export async function fakeCtLog(): Promise<{ log: CtLog; key: PrivateKey; submitted: Uint8Array[][] }> {
  const { privateKey } = await generateKeyPair('ecdsa-p256');
  const submitted: Uint8Array[][] = [];
  return {
    key: privateKey,
    submitted,
    log: {
      async addPreChain(chain) {
        submitted.push([...chain]);
        const [precert, issuer] = chain as [Uint8Array, Uint8Array];
        const entry = { type: 'precert_entry' as const, issuerKeyHash: issuerKeyHash(splitCertificate(issuer)), tbsCertificate: precertTbs(splitCertificate(precert)) };
        return signSct(privateKey, entry, Date.now());
      },
    },
  };
}

/** The same log over a real socket, answering POST /ct/v1/add-pre-chain as RFC 6962 says. */
export async function startCtLogServer(log: CtLog, options: { fail?: () => boolean } = {}) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/ct/v1/add-pre-chain' || options.fail?.()) {
        res.statusCode = options.fail ? 503 : 404;
        res.end('{}');
        return;
      }
      const { chain } = JSON.parse(Buffer.concat(chunks).toString()) as { chain: string[] };
      log.addPreChain(chain.map((c) => new Uint8Array(Buffer.from(c, 'base64')))).then((sct) => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            sct_version: 0,
            id: Buffer.from(sct.logId).toString('base64'),
            timestamp: sct.timestamp,
            extensions: Buffer.from(sct.extensions).toString('base64'),
            signature: Buffer.from(encodeDigitallySigned(sct.signature)).toString('base64'),
          }),
        );
      }, () => {
        res.statusCode = 500;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
