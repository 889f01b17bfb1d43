import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificates, verifyChain } from '@sigstack/x509';
import type { ParsedCertificate } from '@sigstack/x509';
import type { FastifyInstance } from 'fastify';
import { GITHUB_CLAIMS, startIdp, testApp } from './helpers.js';
import type { TestIdp } from './helpers.js';

let idp: TestIdp;
let app: FastifyInstance;

beforeAll(async () => {
  idp = await startIdp();
  ({ app } = await testApp(idp));
});
afterAll(async () => {
  await app.close();
  await idp.close();
});

function clientKey(type: 'ec' | 'ed25519' | 'rsa' = 'ec', options: Record<string, unknown> = { namedCurve: 'P-256' }) {
  const { privateKey, publicKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
  return { privateKey, pem: publicKey.export({ format: 'pem', type: 'spki' }) as string };
}

function pop(privateKey: KeyObject, name: string, hash: string | null = 'sha256'): string {
  return nodeSign(hash, Buffer.from(name), privateKey).toString('base64');
}

async function signingCert(token: string, key = clientKey(), name?: string, hash?: string | null) {
  const body = {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: key.pem }, proofOfPossession: pop(key.privateKey, name ?? '', hash) },
  };
  return app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: body });
}

describe('POST /api/v2/signingCert', () => {
  it('issues a Fulcio-profile certificate for an email identity', async () => {
    const token = await idp.token({ sub: 'u-1', email: 'alice@example.com', email_verified: true });
    const res = await signingCert(token, clientKey(), 'alice@example.com');
    expect(res.statusCode).toBe(200);
    const { certificates } = res.json().signedCertificateDetachedSct.chain;
    expect(certificates).toHaveLength(3);
    const [leaf, intermediate, root] = (certificates as string[]).map((pem) => parseCertificate(pem)) as [ParsedCertificate, ParsedCertificate, ParsedCertificate];
    expect(leaf.subjectAltNames?.emails).toEqual(['alice@example.com']);
    expect(leaf.subject).toEqual(Uint8Array.of(0x30, 0x00));
    expect(leaf.keyUsage).toEqual(['digitalSignature']);
    expect(leaf.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.3']);
    expect(leaf.sigstore.issuer).toBe(idp.issuer());
    expect(leaf.sigstore.issuerV1).toBe(idp.issuer());
    expect(leaf.serialNumber).toHaveLength(40);
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe(600_000);
    expect(leaf.authorityKeyId).toEqual(intermediate.subjectKeyId);
    expect(leaf.subjectKeyId).toHaveLength(20);
    expect(leaf.extensions.find((e) => e.oid === '2.5.29.17')?.critical).toBe(true);
    // .24: the token subject.
    expect(Buffer.from(leaf.extensions.find((e) => e.oid === '1.3.6.1.4.1.57264.1.24')?.value ?? []).toString()).toContain('u-1');
    expect(verifyChain([leaf, intermediate], { roots: [root], at: new Date(), leafKeyUsage: 'digitalSignature', extendedKeyUsage: '1.3.6.1.5.5.7.3.3' })).toHaveLength(3);
  });

  it('maps a GitHub Actions token to the build extensions', async () => {
    const token = await idp.token(GITHUB_CLAIMS, { issuerPath: '/workloads/github' });
    const res = await signingCert(token, clientKey(), GITHUB_CLAIMS.sub);
    expect(res.statusCode).toBe(200);
    const leaf = parseCertificate(res.json().signedCertificateDetachedSct.chain.certificates[0]);
    expect(leaf.subjectAltNames?.uris).toEqual(['https://github.com/octo/widgets/.github/workflows/release.yml@refs/heads/main']);
    expect(leaf.sigstore).toMatchObject({
      issuer: idp.issuer('/workloads/github'),
      githubWorkflowTrigger: 'push',
      githubWorkflowSha: GITHUB_CLAIMS.sha,
      buildSignerUri: 'https://github.com/octo/widgets/.github/workflows/release.yml@refs/heads/main',
      sourceRepositoryUri: 'https://github.com/octo/widgets',
      sourceRepositoryOwnerUri: 'https://github.com/octo',
      runInvocationUri: 'https://github.com/octo/widgets/actions/runs/777/attempts/1',
      sourceRepositoryVisibilityAtSigning: 'public',
      runnerEnvironment: 'github-hosted',
    });
  });

  it('accepts a PEM CSR as proof of possession, and snake_case names', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = `${mkdtempSync(`${tmpdir()}/fulcio-csr-`)}/key.pem`;
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const csr = execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=ignored', '-sha256']).toString();
    const token = await idp.token({ sub: 'u-2', email: 'bob@example.com', email_verified: true });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: { credentials: { oidc_identity_token: token }, certificate_signing_request: Buffer.from(csr).toString('base64') },
    });
    expect(res.statusCode).toBe(200);
    expect(parseCertificate(res.json().signedCertificateDetachedSct.chain.certificates[0]).subjectAltNames?.emails).toEqual(['bob@example.com']);
  });

  it.each([
    ['P-384', () => clientKey('ec', { namedCurve: 'P-384' }), 'sha384'],
    ['Ed25519', () => clientKey('ed25519', {}), null],
    ['RSA 2048', () => clientKey('rsa', { modulusLength: 2048 }), 'sha256'],
  ] as const)('certifies %s keys', async (_name, make, hash) => {
    const token = await idp.token({ sub: 'u-3', email: 'carol@example.com', email_verified: true });
    const res = await signingCert(token, make(), 'carol@example.com', hash);
    expect(res.statusCode).toBe(200);
  });
});

describe('GET endpoints and v1', () => {
  it('serves the trust bundle and the configuration', async () => {
    const bundle = (await app.inject({ url: '/api/v2/trustBundle' })).json();
    expect(bundle.chains[0].certificates).toHaveLength(2);
    const config = (await app.inject({ url: '/api/v2/configuration' })).json();
    expect(config.issuers).toContainEqual({ issuerUrl: idp.issuer(), audience: 'sigstore', challengeClaim: 'email', issuerType: 'email' });
    expect(config.issuers).toContainEqual(expect.objectContaining({ wildcardIssuerUrl: `${idp.url}/meta/*`, issuerType: 'kubernetes' }));
  });

  it('v1: issues a PEM chain with 201 to a Bearer token, as Fulcio\'s Go client asks', async () => {
    const key = clientKey();
    const token = await idp.token({ sub: 'u-4', email: 'dave@example.com', email_verified: true });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/signingCert',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        publicKey: { content: Buffer.from(key.pem).toString('base64'), algorithm: 'ecdsa' },
        signedEmailAddress: pop(key.privateKey, 'dave@example.com'),
        certificateSigningRequest: null,
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toContain('application/pem-certificate-chain');
    expect(parseCertificates(res.body)).toHaveLength(3);
    const root = await app.inject({ url: '/api/v1/rootCert' });
    expect(parseCertificates(root.body)).toHaveLength(2);
  });
});
