import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { digest } from './hash.js';
import { generateKeyPair } from './key-generate.js';
import type { KeyType } from './keys.js';
import { sign, verify } from './sign.js';
import { signDigest, verifyDigest } from './digest-sign.js';

const data = new TextEncoder().encode('artifact contents');
const TYPES: readonly KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa'];

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

describe('sign and verify', () => {
  it.each(TYPES)('%s signatures verify, and fail when data or signature change', async (type) => {
    const { privateKey, publicKey } = await generateKeyPair(type, { rsaBits: 2048 });
    const signature = sign(privateKey, data);
    expect(verify(publicKey, data, signature)).toBe(true);
    expect(verify(publicKey, flip(data, 0), signature)).toBe(false);
    expect(verify(publicKey, data, flip(signature, signature.length - 1))).toBe(false);
    expect(verify(publicKey, data, new Uint8Array())).toBe(false);
    const other = await generateKeyPair(type, { rsaBits: 2048 });
    expect(verify(other.publicKey, data, signature)).toBe(false);
  });

  it('makes DER ECDSA signatures', async () => {
    const { privateKey } = await generateKeyPair('ecdsa-p256');
    expect(sign(privateKey, data)[0]).toBe(0x30);
  });

  it('RSA signs with a chosen hash and padding, and they are not interchangeable', async () => {
    const { privateKey, publicKey } = await generateKeyPair('rsa', { rsaBits: 2048 });
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      for (const rsaPadding of ['pkcs1v15', 'pss'] as const) {
        const signature = sign(privateKey, data, { hash, rsaPadding });
        expect(verify(publicKey, data, signature, { hash, rsaPadding })).toBe(true);
        expect(verify(publicKey, data, signature, { hash, rsaPadding: rsaPadding === 'pss' ? 'pkcs1v15' : 'pss' })).toBe(false);
      }
    }
    const sha512 = sign(privateKey, data, { hash: 'sha512' });
    expect(verify(publicKey, data, sha512)).toBe(false);
  });

  it('fails closed on options that do not fit the key', async () => {
    const ec = await generateKeyPair('ecdsa-p256');
    const ed = await generateKeyPair('ed25519');
    const rsa = await generateKeyPair('rsa', { rsaBits: 2048 });
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(CryptoError);
        return (error as CryptoError).code;
      }
      return undefined;
    };
    expect(codeOf(() => sign(ec.privateKey, data, { hash: 'sha384' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => verify(ec.publicKey, data, new Uint8Array(), { rsaPadding: 'pss' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => sign(ed.privateKey, data, { hash: 'sha512' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => sign(rsa.privateKey, data, { hash: 'sha1' as never }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => sign(rsa.privateKey, data, { rsaPadding: 'oaep' as never }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(codeOf(() => sign(ec.publicKey as never, data))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => verify(ec.publicKey, 'text' as never, new Uint8Array()))).toBe('INVALID_ARGUMENT');
  });
});

describe('signatures over a precomputed digest', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'rsa'] as const)('%s: digest and message signatures are the same thing', async (type) => {
    const { privateKey, publicKey } = await generateKeyPair(type, { rsaBits: 2048 });
    const hash = type === 'ecdsa-p384' ? 'sha384' : 'sha256';
    const hashed = digest(hash, data);
    const overDigest = signDigest(privateKey, hashed);
    expect(verify(publicKey, data, overDigest)).toBe(true);
    expect(verifyDigest(publicKey, hashed, overDigest)).toBe(true);
    expect(verifyDigest(publicKey, hashed, sign(privateKey, data))).toBe(true);
    expect(verifyDigest(publicKey, flip(hashed, 3), overDigest)).toBe(false);
    expect(verifyDigest(publicKey, hashed, flip(overDigest, 10))).toBe(false);
    expect(verifyDigest(publicKey, hashed, new Uint8Array([0x30, 0x00]))).toBe(false);
  });

  it('RSA digest signatures take sha384 and sha512 digests too', async () => {
    const { privateKey, publicKey } = await generateKeyPair('rsa', { rsaBits: 2048 });
    for (const hash of ['sha384', 'sha512'] as const) {
      const signature = signDigest(privateKey, digest(hash, data), { hash });
      expect(verify(publicKey, data, signature, { hash })).toBe(true);
      expect(verifyDigest(publicKey, digest(hash, data), signature, { hash })).toBe(true);
    }
  });

  it('accepts high-S ECDSA signatures, as Go and OpenSSL produce them', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ecdsa-p256');
    const hashed = digest('sha256', data);
    const low = p256.Signature.fromBytes(signDigest(privateKey, hashed), 'der');
    const high = new p256.Signature(low.r, p256.Point.Fn.ORDER - low.s).toBytes('der');
    expect(verifyDigest(publicKey, hashed, high)).toBe(true);
    expect(verify(publicKey, data, high)).toBe(true);
  });

  it('refuses non-DER (BER) and trailing-garbage signatures', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ecdsa-p256');
    const hashed = digest('sha256', data);
    const der = signDigest(privateKey, hashed);
    expect(verifyDigest(publicKey, hashed, Uint8Array.from([...der, 0]))).toBe(false);
    // Long-form length where the short form is required.
    const ber = Uint8Array.from([0x30, 0x81, der[1] ?? 0, ...der.subarray(2)]);
    expect(verifyDigest(publicKey, hashed, ber)).toBe(false);
    expect(verify(publicKey, data, ber)).toBe(false);
  });

  it('refuses wrong digest lengths, Ed25519 and RSA-PSS', async () => {
    const ec = await generateKeyPair('ecdsa-p384');
    const ed = await generateKeyPair('ed25519');
    const rsa = await generateKeyPair('rsa', { rsaBits: 2048 });
    expect(() => signDigest(ec.privateKey, digest('sha256', data))).toThrow(expect.objectContaining({ code: 'INVALID_DIGEST' }));
    expect(() => verifyDigest(ec.publicKey, digest('sha384', data), new Uint8Array(), { hash: 'sha256' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }),
    );
    expect(() => signDigest(ed.privateKey, digest('sha512', data))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
    expect(() => signDigest(rsa.privateKey, digest('sha256', data), { rsaPadding: 'pss' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }),
    );
  });
});
