import 'reflect-metadata';
import { createPrivateKey, randomBytes, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, hex, sha256, testRekor, type TestRekor } from './helpers.js';

// A Fulcio-style signing certificate (ECDSA P-256, email SAN) as the hashedrekord verifier.
describe.each(backends)('hashedrekord with a certificate on $name', (backend) => {
  let db: SqlDatabase;
  let r: TestRekor;
  let certPem: string;
  let privateKey: ReturnType<typeof createPrivateKey>;
  beforeAll(async () => {
    db = await backend.open();
    r = await testRekor(db);
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=sigstore',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 600_000),
      signingAlgorithm: alg,
      keys: keys as webcrypto.CryptoKeyPair,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'Signer@Example.com' }])],
    });
    certPem = cert.toString('pem');
    privateKey = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
  });
  afterAll(async () => {
    await r.app.close();
    await db.close();
  });

  it('verifies against the certificate key and indexes the SAN email', async () => {
    const artifact = randomBytes(48);
    const proposed = {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: hex(sha256(artifact)) } },
        signature: { content: sign('sha256', artifact, { key: privateKey, dsaEncoding: 'der' }).toString('base64'), publicKey: { content: Buffer.from(certPem).toString('base64') } },
      },
    };
    const res = await r.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: proposed });
    expect(res.statusCode, res.body).toBe(201);
    const body = JSON.parse(Buffer.from((Object.values(res.json())[0] as { body: string }).body, 'base64').toString());
    expect(Buffer.from(body.spec.signature.publicKey.content, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    const found = await r.app.inject({ method: 'POST', url: '/api/v1/index/retrieve', payload: { email: 'signer@example.com' } });
    expect(found.json()).toEqual(Object.keys(res.json()));
    const other = { ...proposed, spec: { ...proposed.spec, data: { hash: { algorithm: 'sha256', value: hex(sha256(randomBytes(8))) } } } };
    expect((await r.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: other })).statusCode).toBe(400);
  });
});
