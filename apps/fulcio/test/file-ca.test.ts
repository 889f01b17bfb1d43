import { createPrivateKey } from 'node:crypto';
import { encodePem, encryptPrivateKey, exportPrivateKey, generateKeyPair } from '@sigstack/crypto';
import { describe, expect, it } from 'vitest';
import { CaError, CertificateAuthority } from '../src/ca/authority.js';
import { generateCaChain, pemBackend } from '../src/ca/backends.js';

const chainPem = (chain: Uint8Array[]) => chain.map((der) => encodePem('CERTIFICATE', der)).join('');

describe('file CA', () => {
  it('reads an encrypted PKCS#8 key with its password, as fileca does', async () => {
    const { key, chain } = await generateCaChain();
    const encrypted = createPrivateKey(exportPrivateKey(key, 'pem')).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'hunter22' }) as string;
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');
    const backend = await pemBackend(encrypted, chainPem(chain), 'hunter22');
    expect(() => new CertificateAuthority(backend, { lifetimeMs: 600_000 })).not.toThrow();
    await expect(pemBackend(encrypted, chainPem(chain), 'wrong')).rejects.toThrow(CaError);
    await expect(pemBackend(encrypted, chainPem(chain), undefined)).rejects.toThrow(CaError);
  });

  it('reads a cosign-encrypted key', async () => {
    const { key, chain } = await generateCaChain();
    const backend = await pemBackend(await encryptPrivateKey(key, 'pw'), chainPem(chain), 'pw');
    expect(backend.signer.algorithm).toBe('ecdsa-sha256');
  });

  it('refuses a key that does not match the chain, and an expired chain', async () => {
    const { chain } = await generateCaChain();
    const other = await generateKeyPair('ecdsa-p256');
    const backend = await pemBackend(exportPrivateKey(other.privateKey, 'pem'), chainPem(chain), undefined);
    expect(() => new CertificateAuthority(backend, { lifetimeMs: 600_000 })).toThrow(/does not match/);
    const old = await generateCaChain({ now: Date.now() - 20 * 365 * 86_400_000 });
    const expired = await pemBackend(exportPrivateKey(old.key, 'pem'), chainPem(old.chain), undefined);
    expect(() => new CertificateAuthority(expired, { lifetimeMs: 600_000 })).toThrow(CaError);
  });
});
