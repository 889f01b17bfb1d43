import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { exportPrivateKey, exportPublicKey } from './key-export.js';
import { generateKeyPair } from './key-generate.js';
import { importPrivateKey, importPublicKey } from './key-import.js';
import { keyId } from './key-id.js';
import { sign, verify } from './sign.js';
import type { KeyType } from './keys.js';
import { encodePem } from './pem.js';

const TYPES: readonly KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa'];

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    return (error as CryptoError).code;
  }
  return undefined;
}

describe('key generation, import and export', () => {
  it.each(TYPES)('round-trips %s through PEM, DER and JWK', async (type) => {
    const { privateKey, publicKey } = await generateKeyPair(type, { rsaBits: 2048 });
    expect(privateKey.type).toBe(type);
    expect(privateKey.publicKey).toBe(publicKey);
    const id = keyId(publicKey);

    for (const format of ['pem', 'der', 'jwk'] as const) {
      const pub = importPublicKey(exportPublicKey(publicKey, format as 'pem'));
      expect(pub.type).toBe(type);
      expect(keyId(pub)).toEqual(id);
      const priv = importPrivateKey(exportPrivateKey(privateKey, format as 'pem'));
      expect(keyId(priv.publicKey)).toEqual(id);
    }
    expect(exportPublicKey(publicKey, 'pem')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(exportPrivateKey(privateKey, 'pem')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('reports curve size and RSA modulus length', async () => {
    expect((await generateKeyPair('ecdsa-p384')).publicKey.bits).toBe(384);
    expect((await generateKeyPair('rsa')).publicKey.bits).toBe(3072);
  });

  it('refuses small RSA keys on generation and on import', async () => {
    expect(await codeOf(() => generateKeyPair('rsa', { rsaBits: 1024 }))).toBe('WEAK_KEY');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(await codeOf(() => importPublicKey(new Uint8Array(small.publicKey.export({ format: 'der', type: 'spki' }))))).toBe('WEAK_KEY');
    expect(await codeOf(() => importPrivateKey(small.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe('WEAK_KEY');
    expect(await codeOf(() => importPublicKey(small.publicKey.export({ format: 'jwk' })))).toBe('WEAK_KEY');
  });

  it('refuses other curves and key types', async () => {
    expect(await codeOf(() => generateKeyPair('ecdsa-p521' as never))).toBe('UNSUPPORTED_ALGORITHM');
    for (const [kind, opts] of [
      ['ec', { namedCurve: 'P-521' }],
      ['ec', { namedCurve: 'secp256k1' }],
      ['ed448', {}],
      ['x25519', {}],
      ['rsa-pss', { modulusLength: 2048 }],
    ] as const) {
      const pair = generateKeyPairSync(kind as 'ec', opts as { namedCurve: string });
      const spki = new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }));
      expect(await codeOf(() => importPublicKey(spki))).toBe('UNSUPPORTED_ALGORITHM');
    }
    expect(await codeOf(() => importPublicKey({ kty: 'EC', crv: 'P-521', x: 'AA', y: 'AA' }))).toBe('UNSUPPORTED_ALGORITHM');
    expect(await codeOf(() => importPublicKey({ kty: 'oct', k: 'AAAA' }))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('refuses non-canonical or padded DER, so key ids cannot be forged', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ecdsa-p256');
    const spki = exportPublicKey(publicKey, 'der');
    expect(await codeOf(() => importPublicKey(Uint8Array.from([...spki, 0])))).toBe('INVALID_KEY');
    expect(await codeOf(() => importPrivateKey(Uint8Array.from([...exportPrivateKey(privateKey, 'der'), 0, 0])))).toBe('INVALID_KEY');
    const compressed = createPublicKey({ key: publicKey.keyObject.export({ format: 'jwk' }), format: 'jwk' });
    // Compressed points re-encode differently: rebuild one by hand.
    const jwk = compressed.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x ?? '', 'base64url');
    const yOdd = (Buffer.from(jwk.y ?? '', 'base64url').at(-1) ?? 0) & 1;
    const prefix = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
    const point = Buffer.concat([prefix, Buffer.from([2 + yOdd]), x]);
    expect(await codeOf(() => importPublicKey(new Uint8Array(point)))).toBe('INVALID_KEY');
  });

  it('imports canonical P-256 and P-384 SPKIs on the fast path: the same key, and only points on the curve', async () => {
    for (const type of ['ecdsa-p256', 'ecdsa-p384'] as const) {
      const { publicKey, privateKey } = await generateKeyPair(type);
      const spki = exportPublicKey(publicKey, 'der');
      const imported = importPublicKey(spki);
      expect(imported.type).toBe(type);
      expect(imported.bits).toBe(type === 'ecdsa-p256' ? 256 : 384);
      expect(Buffer.from(imported.keyObject.export({ format: 'der', type: 'spki' })).equals(Buffer.from(spki))).toBe(true);
      const message = new TextEncoder().encode('fast path');
      expect(verify(imported, message, sign(privateKey, message))).toBe(true);
      // A coordinate at or above p (the same point mod p, other bytes) is refused.
      const size = type === 'ecdsa-p256' ? 32 : 48;
      const high = Uint8Array.from(spki);
      high.fill(0xff, spki.length - 2 * size, spki.length - size);
      expect(await codeOf(() => importPublicKey(high))).toBe('INVALID_KEY');
      // Random coordinates behind the canonical header: refused, or exactly that key.
      fc.assert(
        fc.property(fc.uint8Array({ minLength: spki.length - 65 + 64, maxLength: spki.length - 65 + 64 }), fc.boolean(), (xy, realX) => {
          const candidate = Uint8Array.from(spki);
          const point = realX ? xy.subarray(xy.length / 2) : xy;
          candidate.set(point, spki.length - point.length);
          let key;
          try {
            key = importPublicKey(candidate);
          } catch (error) {
            expect(error).toBeInstanceOf(CryptoError);
            expect((error as CryptoError).code).toBe('INVALID_KEY');
            return;
          }
          expect(Buffer.from(key.keyObject.export({ format: 'der', type: 'spki' })).equals(Buffer.from(candidate))).toBe(true);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('accepts PKCS#1 RSA public keys and SEC1 EC private keys in PEM', async () => {
    const { publicKey, privateKey } = await generateKeyPair('rsa', { rsaBits: 2048 });
    const pkcs1 = new Uint8Array(publicKey.keyObject.export({ format: 'der', type: 'pkcs1' }));
    expect(keyId(importPublicKey(encodePem('RSA PUBLIC KEY', pkcs1)))).toEqual(keyId(publicKey));
    const rsaPkcs1 = privateKey.keyObject.export({ format: 'pem', type: 'pkcs1' }) as string;
    expect(importPrivateKey(rsaPkcs1).type).toBe('rsa');
    const ec = await generateKeyPair('ecdsa-p384');
    const sec1 = ec.privateKey.keyObject.export({ format: 'pem', type: 'sec1' }) as string;
    expect(keyId(importPrivateKey(sec1).publicKey)).toEqual(keyId(ec.publicKey));
  });

  it('checks JWKs strictly', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ecdsa-p256');
    const other = await generateKeyPair('ecdsa-p256');
    const privJwk = exportPrivateKey(privateKey, 'jwk');
    // A private JWK is not silently taken as a public one.
    expect(await codeOf(() => importPublicKey(privJwk))).toBe('INVALID_KEY');
    // `d` of one key with `x`/`y` of another.
    const mixed = { ...exportPublicKey(other.publicKey, 'jwk'), d: privJwk.d };
    expect(await codeOf(() => importPrivateKey(mixed))).toBe('INVALID_KEY');
    const pubJwk = exportPublicKey(publicKey, 'jwk');
    expect(await codeOf(() => importPublicKey({ ...pubJwk, x: `${pubJwk.x}A` }))).toBe('INVALID_KEY');
    expect(await codeOf(() => importPublicKey({ ...pubJwk, x: 5 } as never))).toBe('INVALID_KEY');
    expect(await codeOf(() => importPublicKey({ ...pubJwk, y: pubJwk.x }))).toBe('INVALID_KEY');
  });

  it('refuses key objects it did not issue', async () => {
    const { publicKey } = await generateKeyPair('ed25519');
    expect(await codeOf(() => exportPublicKey({ ...publicKey }, 'pem'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => keyId({ ...publicKey, type: 'rsa' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => importPublicKey(42 as never))).toBe('INVALID_ARGUMENT');
  });

  it('refuses a private key PEM where a public one is expected', async () => {
    const { privateKey } = await generateKeyPair('ed25519');
    expect(await codeOf(() => importPublicKey(exportPrivateKey(privateKey, 'pem')))).toBe('INVALID_PEM');
  });
});
