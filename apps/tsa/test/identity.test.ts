import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { encryptPrivateKey, exportPrivateKey, generateKeyPair, importPrivateKey } from '@sigstack/crypto';
import { describe, expect, it } from 'vitest';
import { resolveIdentity } from '../src/app.js';
import { issueCertificate, keyIdentifierOf, nameOf } from '../src/certificate.js';
import { IdentityError, chainToPem, devIdentity, loadIdentity } from '../src/identity.js';
import { keySigner } from '../src/signer.js';
import { tempDir, testConfig, testIdentity, writeFiles } from './helpers.js';

describe('dev identity', () => {
  it('is generated on first start and reused afterwards', async () => {
    const { dir, cleanup } = await tempDir();
    const first = await devIdentity({ dataDir: join(dir, 'tsa') });
    const second = await devIdentity({ dataDir: join(dir, 'tsa') });
    expect(second.chain).toEqual(first.chain);
    expect((await stat(join(dir, 'tsa', 'tsa-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'tsa', 'tsa-chain.pem'), 'utf8')).toBe(chainToPem(first.chain));
    await cleanup();
  });
});

describe('operator files', () => {
  it('loads a cosign-encrypted key with KEY_PASSWORD, and a plain PKCS#8 key', async () => {
    const { dir, cleanup } = await tempDir();
    const identity = await testIdentity();
    // Re-create the key file from a fresh dev identity (the test identity keeps its key private).
    const dev = await devIdentity({ dataDir: dir });
    const keyPem = await readFile(join(dir, 'tsa-key.pem'), 'utf8');
    const encrypted = await encryptPrivateKey(importPrivateKey(keyPem), 'hunter2', { scryptN: 32768 });
    await writeFiles(dir, { 'enc.pem': encrypted });
    const config = testConfig({ KEY_FILE: join(dir, 'enc.pem'), CERT_CHAIN_FILE: join(dir, 'tsa-chain.pem'), KEY_PASSWORD: 'hunter2' });
    expect((await resolveIdentity(config)).chain).toEqual(dev.chain);
    await expect(resolveIdentity(testConfig({ KEY_FILE: join(dir, 'enc.pem'), CERT_CHAIN_FILE: join(dir, 'tsa-chain.pem'), KEY_PASSWORD: 'wrong' }))).rejects.toThrow(IdentityError);
    expect((await resolveIdentity(testConfig({ KEY_FILE: join(dir, 'tsa-key.pem'), CERT_CHAIN_FILE: join(dir, 'tsa-chain.pem') }))).chain).toEqual(dev.chain);
    await expect(resolveIdentity(testConfig({ KEY_FILE: join(dir, 'tsa-key.pem') }))).rejects.toThrow(/both/);
    // A key that is not the certificate's.
    await expect(loadIdentity(keyPem, chainToPem(identity.chain), undefined)).rejects.toThrow(/does not match/);
    await cleanup();
  });

  it('refuses chains outside the TSA profile', async () => {
    const root = await generateKeyPair('ecdsa-p256');
    const leaf = await generateKeyPair('ecdsa-p256');
    const now = new Date();
    const notAfter = new Date(now.getTime() + 86_400_000);
    const rootSubject = { commonName: 'root', organization: 'test' };
    const rootDer = issueCertificate({ subject: rootSubject, publicKey: root.publicKey, notBefore: now, notAfter, ca: true }, { selfKey: root.privateKey });
    const issuer = { name: nameOf(rootSubject), key: root.privateKey, keyIdentifier: keyIdentifierOf(root.publicKey) };
    const leafWith = (extKeyUsage: string[] | undefined, ekuCritical: boolean, ca = false) =>
      issueCertificate({ subject: { commonName: 'tsa', organization: 'test' }, publicKey: leaf.publicKey, notBefore: now, notAfter, ca, ...(extKeyUsage ? { extKeyUsage } : {}), ekuCritical }, issuer);
    const load = (leafDer: Uint8Array) => loadIdentity(exportPrivateKey(leaf.privateKey, 'pem'), chainToPem([leafDer, rootDer]), undefined);

    await expect(load(leafWith(['1.3.6.1.5.5.7.3.8'], true))).resolves.toBeDefined();
    await expect(load(leafWith(['1.3.6.1.5.5.7.3.8'], false))).rejects.toThrow(/critical/);
    await expect(load(leafWith(undefined, false))).rejects.toThrow(/timeStamping/);
    await expect(load(leafWith(['1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.3'], true))).rejects.toThrow(/exactly one/);
    await expect(load(leafWith(['1.3.6.1.5.5.7.3.8'], true, true))).rejects.toThrow(/must not be a CA/);
    await expect(loadIdentity(exportPrivateKey(leaf.privateKey, 'pem'), chainToPem([leafWith(['1.3.6.1.5.5.7.3.8'], true)]), undefined)).rejects.toThrow(/at least its root/);
    const ed = await generateKeyPair('ed25519');
    expect(() => keySigner(ed.privateKey)).toThrow(/ECDSA/);
  });
});
