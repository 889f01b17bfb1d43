import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { generateKeyPair } from './key-generate.js';
import { verify } from './sign.js';
import { keySigner } from './signer.js';

const data = new TextEncoder().encode('to be signed');

describe('keySigner', () => {
  it.each([
    ['ecdsa-p256', 'ecdsa-sha256'],
    ['ecdsa-p384', 'ecdsa-sha384'],
    ['ed25519', 'ed25519'],
    ['rsa', 'rsa-pkcs1v15-sha256'],
  ] as const)('a %s key signs as %s, verifiably', async (type, algorithm) => {
    const { privateKey, publicKey } = await generateKeyPair(type, { rsaBits: 2048 });
    const signer = keySigner(privateKey);
    expect(signer.algorithm).toBe(algorithm);
    expect(signer.publicKey).toBe(privateKey.publicKey);
    const signature = await signer.sign(data);
    expect(verify(publicKey, data, signature)).toBe(true);
  });

  it('names the RSA hash and padding it was given', async () => {
    const { privateKey, publicKey } = await generateKeyPair('rsa', { rsaBits: 2048 });
    const signer = keySigner(privateKey, { hash: 'sha384', rsaPadding: 'pss' });
    expect(signer.algorithm).toBe('rsa-pss-sha384');
    expect(verify(publicKey, data, await signer.sign(data), { hash: 'sha384', rsaPadding: 'pss' })).toBe(true);
  });

  it('refuses what is not a key, and options a key cannot use', async () => {
    expect(() => keySigner({} as never)).toThrow(CryptoError);
    const { privateKey } = await generateKeyPair('ecdsa-p256');
    expect(() => keySigner(privateKey, { hash: 'sha512' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
  });

  it('is frozen', async () => {
    const { privateKey } = await generateKeyPair('ed25519');
    expect(Object.isFrozen(keySigner(privateKey))).toBe(true);
  });
});
