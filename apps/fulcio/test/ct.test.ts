import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { exportPublicKey } from '@sigstack/crypto';
import { embeddedSctEntry, parseCertificate, verifySct } from '@sigstack/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCtLog, startCtLogServer, startIdp, testApp } from './helpers.js';
import type { TestIdp } from './helpers.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(() => idp.close());

async function request(token: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: publicKey.export({ format: 'pem', type: 'spki' }) },
      proofOfPossession: nodeSign('sha256', Buffer.from('erin@example.com'), privateKey).toString('base64'),
    },
  };
}

const token = () => idp.token({ sub: 'u-5', email: 'erin@example.com', email_verified: true });

describe('certificate transparency', () => {
  it('submits a precertificate and embeds the SCT, which verifies with the log key', async () => {
    const ct = await fakeCtLog();
    const { app } = await testApp(idp, { ctLog: ct.log });
    const res = await app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: await request(await token()) });
    expect(res.statusCode).toBe(200);
    const [leafPem, issuerPem] = res.json().signedCertificateEmbeddedSct.chain.certificates;
    const leaf = parseCertificate(leafPem);
    const issuer = parseCertificate(issuerPem);
    expect(leaf.isPrecertificate).toBe(false);
    expect(leaf.embeddedScts).toHaveLength(1);
    const sct = leaf.embeddedScts?.[0];
    expect(sct && verifySct(sct, embeddedSctEntry(leaf, issuer), ct.key.publicKey)).toBe(true);
    // What the log saw: the precertificate (poison) with the same serial, then the chain.
    const [precert, ...rest] = ct.submitted[0] ?? [];
    const parsedPre = parseCertificate(precert as Uint8Array);
    expect(parsedPre.isPrecertificate).toBe(true);
    expect(parsedPre.serialNumber).toBe(leaf.serialNumber);
    expect(rest).toHaveLength(2);
    await app.close();
  });

  it('works over a real socket, verifying SCTs with CT_LOG_PUBLIC_KEY_FILE', async () => {
    const ct = await fakeCtLog();
    const server = await startCtLogServer(ct.log);
    const dir = await mkdtemp(`${tmpdir()}/fulcio-ct-`);
    await writeFile(`${dir}/ct.pem`, exportPublicKey(ct.key.publicKey, 'pem'));
    const { app } = await testApp(idp, { env: { CT_LOG_URL: server.url, CT_LOG_PUBLIC_KEY_FILE: `${dir}/ct.pem` } });
    const res = await app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: await request(await token()) });
    expect(res.statusCode).toBe(200);
    expect(parseCertificate(res.json().signedCertificateEmbeddedSct.chain.certificates[0]).embeddedScts).toHaveLength(1);
    await app.close();
    await server.close();
  });

  it('refuses an SCT that does not verify with the configured log key', async () => {
    const ct = await fakeCtLog();
    const other = await fakeCtLog();
    const server = await startCtLogServer(other.log);
    const dir = await mkdtemp(`${tmpdir()}/fulcio-ct-`);
    await writeFile(`${dir}/ct.pem`, exportPublicKey(ct.key.publicKey, 'pem'));
    const { app } = await testApp(idp, { env: { CT_LOG_URL: server.url, CT_LOG_PUBLIC_KEY_FILE: `${dir}/ct.pem` } });
    const res = await app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: await request(await token()) });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('CT_LOG_UNAVAILABLE');
    await app.close();
    await server.close();
  });

  it.each([
    ['refuses connections', async () => ({ url: 'http://127.0.0.1:1', close: () => Promise.resolve() })],
    ['answers 503', async () => startCtLogServer((await fakeCtLog()).log, { fail: () => true })],
  ])('a log that %s makes issuance fail with 503 and returns nothing', async (_what, make) => {
    const server = await make();
    const { app } = await testApp(idp, { env: { CT_LOG_URL: server.url, CT_TIMEOUT: '2s' } });
    const res = await app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: await request(await token()) });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('CT_LOG_UNAVAILABLE');
    expect(res.body).not.toContain('BEGIN CERTIFICATE');
    expect(res.headers['retry-after']).toBe('5');
    await app.close();
    await server.close();
  });
});
