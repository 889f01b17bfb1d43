import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FulcioServices } from '../src/app.js';
import { startIdp, testApp } from './helpers.js';
import type { TestIdp } from './helpers.js';

let idp: TestIdp;
let app: FastifyInstance;
let services: FulcioServices;
const issued = () => app.inject({ url: '/metrics' }).then((r) => /fulcio_new_certs\{sct="none"\} (\d+)/.exec(r.body)?.[1] ?? '0');

beforeAll(async () => {
  idp = await startIdp();
  ({ app, services } = await testApp(idp));
});
afterAll(async () => {
  await app.close();
  await idp.close();
});

const EMAIL = 'frank@example.com';
const claims = { sub: 'u-6', email: EMAIL, email_verified: true };

function key(type = 'ec', options: object = { namedCurve: 'P-256' }): { privateKey: KeyObject; pem: string } {
  const pair = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
  return { privateKey: pair.privateKey, pem: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string };
}

function body(token: string, k = key(), name = EMAIL, hash: string | null = 'sha256') {
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: k.pem }, proofOfPossession: nodeSign(hash, Buffer.from(name), k.privateKey).toString('base64') },
  };
}

async function post(payload: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: payload as object, headers });
  expect(res.body).not.toContain('BEGIN CERTIFICATE');
  return { status: res.statusCode, code: (res.json() as { code: string }).code, message: (res.json() as { message: string }).message };
}

describe('tokens that must not get a certificate', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['expired', () => idp.token(claims, { expiresIn: -600 }), 'INVALID_IDENTITY_TOKEN', /expired/],
    ['not yet valid (nbf)', () => idp.token({ ...claims, nbf: now() + 3600 }), 'INVALID_IDENTITY_TOKEN', /not yet valid/],
    ['issued in the future (iat)', () => idp.token({ ...claims, iat: now() + 3600 }), 'INVALID_IDENTITY_TOKEN', /not yet valid/],
    ['for another audience', () => idp.token({ ...claims, aud: 'someone-else' }), 'INVALID_IDENTITY_TOKEN', /audience/],
    ['from an unknown issuer', () => idp.token(claims, { issuerPath: '/nobody' }), 'UNKNOWN_ISSUER', /not configured/],
    ['signed by a key the issuer does not publish', () => idp.token(claims, { key: 'rogue' }), 'INVALID_IDENTITY_TOKEN', /signature/],
    ['signed by an unknown kid', () => idp.token(claims, { key: 'rogue', kid: 'nope' }), 'INVALID_IDENTITY_TOKEN', /does not publish/],
    ['unsigned (alg none)', async () => new UnsecuredJWT({ ...claims, aud: 'sigstore' }).setIssuer(idp.issuer()).setExpirationTime('5m').encode(), 'INVALID_IDENTITY_TOKEN', /none/],
    ['HMAC-signed with the public key', async () => {
      const secret = new TextEncoder().encode((await fetch(`${idp.url}/jwks`).then((r) => r.text())).slice(0, 64));
      return new SignJWT({ ...claims, aud: 'sigstore' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(idp.issuer()).setExpirationTime('5m').sign(secret);
    }, 'INVALID_IDENTITY_TOKEN', /HS256/],
    ['not a JWT', async () => 'not.a.jwt', 'INVALID_IDENTITY_TOKEN', /not a JWT/],
  ])('%s: 401', async (_name, make, code, message) => {
    const before = await issued();
    const res = await post(body(await make()));
    expect(res.status).toBe(401);
    expect(res.code).toBe(code);
    expect(res.message).toMatch(message);
    expect(await issued()).toBe(before);
  });

  it('no token at all: 401', async () => {
    const k = key();
    const res = await post({ publicKeyRequest: { publicKey: { content: k.pem }, proofOfPossession: 'AAAA' } });
    expect([res.status, res.code]).toEqual([401, 'MISSING_IDENTITY_TOKEN']);
  });

  it('an unverified email: 401', async () => {
    const res = await post(body(await idp.token({ ...claims, email_verified: false })));
    expect([res.status, res.code]).toEqual([401, 'INVALID_IDENTITY_CLAIMS']);
  });
});

describe('keys and proofs that must not get a certificate', () => {
  it('a proof over the wrong name: 400', async () => {
    const res = await post(body(await idp.token(claims), key(), 'someone@else.com'));
    expect([res.status, res.code]).toEqual([400, 'INVALID_SIGNATURE']);
  });

  it('a proof by another key: 400', async () => {
    const k = key();
    const other = key();
    const res = await post(body(await idp.token(claims), { pem: k.pem, privateKey: other.privateKey }));
    expect([res.status, res.code]).toEqual([400, 'INVALID_SIGNATURE']);
  });

  it.each([
    ['RSA 1024', () => key('rsa', { modulusLength: 1024 }), 'INSECURE_PUBLIC_KEY', /insecure/],
    ['RSA 4608', () => key('rsa', { modulusLength: 4608 }), 'UNSUPPORTED_PUBLIC_KEY', /4608/],
    ['P-521', () => key('ec', { namedCurve: 'P-521' }), 'UNSUPPORTED_PUBLIC_KEY', /P-256/],
    ['secp256k1', () => key('ec', { namedCurve: 'secp256k1' }), 'UNSUPPORTED_PUBLIC_KEY', /curve/],
    ['Ed448', () => key('ed448', {}), 'UNSUPPORTED_PUBLIC_KEY', /key type/],
  ])('a %s key: 400 that says why', async (_name, make, code, message) => {
    const res = await post(body(await idp.token(claims), make(), EMAIL, null));
    expect([res.status, res.code]).toEqual([400, code]);
    expect(res.message).toMatch(message);
  }, 60_000);

  it('a P-256 point off the curve: 400', async () => {
    const k = key();
    const der = Buffer.from(k.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    const pem = `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const res = await post(body(await idp.token(claims), { pem, privateKey: k.privateKey }));
    expect([res.status, res.code]).toEqual([400, 'INVALID_PUBLIC_KEY']);
  });

  it('garbage instead of a key: 400', async () => {
    const res = await post({ credentials: { oidcIdentityToken: await idp.token(claims) }, publicKeyRequest: { publicKey: { content: 'hello' }, proofOfPossession: 'AAAA' } });
    expect([res.status, res.code]).toEqual([400, 'INVALID_PUBLIC_KEY']);
  });

  it('no key at all: 400', async () => {
    const res = await post({ credentials: { oidcIdentityToken: await idp.token(claims) } });
    expect([res.status, res.code]).toEqual([400, 'MISSING_PUBLIC_KEY']);
  });

  it('a CSR that is not one: 400', async () => {
    const res = await post({ credentials: { oidcIdentityToken: await idp.token(claims) }, certificateSigningRequest: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n').toString('base64') });
    expect([res.status, res.code]).toEqual([400, 'INVALID_CSR']);
  });
});

describe('malformed requests', () => {
  it('unknown fields are refused, not dropped', async () => {
    const res = await post({ ...body(await idp.token(claims)), extra: 1 });
    expect([res.status, res.code]).toEqual([400, 'INVALID_REQUEST']);
    const nested = body(await idp.token(claims));
    const res2 = await post({ ...nested, publicKeyRequest: { ...nested.publicKeyRequest, surprise: true } });
    expect([res2.status, res2.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('an oversized body: 413', async () => {
    const res = await post({ credentials: { oidcIdentityToken: 'x'.repeat(70_000) } });
    expect([res.status, res.code]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it('a token over 32 KiB inside the limit: 400 by schema', async () => {
    const res = await post({ credentials: { oidcIdentityToken: 'x'.repeat(40_000) } });
    expect(res.status).toBe(400);
  });

  it('invalid JSON: 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: '{"credentials":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
  });

  it('the verifier is shared: keys are fetched once, not per token', () => {
    expect(idp.jwksFetches).toBeLessThanOrEqual(3);
    expect(services.verifier).toBeDefined();
  });
});
