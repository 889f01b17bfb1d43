import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyDigest } from './digest-sign.js';
import { importPublicKey } from './key-import.js';
import { nativeEcdsa } from './native-ecdsa.js';
import { P256DigestVerifier, modInverse, parseEcdsaDerSignature } from './p256-digest.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = importPublicKey(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
// Both routes where the native module was built (native-ecdsa.test.ts requires it in CI).
const routes: [string, P256DigestVerifier][] = [['ECDH', new P256DigestVerifier(publicKey, null)]];
if (nativeEcdsa) routes.push(['native', new P256DigestVerifier(publicKey, nativeEcdsa)]);
const point = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }).subarray(-65));
/** The independent reference: @noble/curves over the digest, high-S allowed. */
const noble = (digest: Uint8Array, signature: Uint8Array): boolean => {
  try {
    return p256.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
};
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;

describe.each(routes)('native-speed P-256 digest verification (%s)', (_route, fast) => {
  it('accepts every valid signature and agrees with @noble/curves on tampered ones; verifyDigest too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.nat(31), fc.integer({ min: 1, max: 255 }), (message, at, flip) => {
        const digest = createHash('sha256').update(message).digest();
        const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
        expect(fast.verify(digest, signature)).toBe(true);
        expect(verifyDigest(key, digest, signature)).toBe(true);
        const tampered = Buffer.from(digest);
        tampered[at] = (tampered[at] ?? 0) ^ flip;
        expect(fast.verify(tampered, signature) ?? noble(tampered, signature)).toBe(noble(tampered, signature));
        expect(verifyDigest(key, tampered, signature)).toBe(noble(tampered, signature));
        const badSig = Buffer.from(signature);
        badSig[badSig.length - 1 - (at % 8)] = (badSig[badSig.length - 1 - (at % 8)] ?? 0) ^ flip;
        expect(fast.verify(digest, badSig) ?? noble(digest, badSig)).toBe(noble(digest, badSig));
        expect(verifyDigest(key, digest, badSig)).toBe(noble(digest, badSig));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses the (r, -s) digest-negation forgery that an x-only check would accept', () => {
    const message = Buffer.from('hello');
    const digest = createHash('sha256').update(message).digest();
    const sig = parseEcdsaDerSignature(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }))!;
    const enc = (n: bigint) => {
      let h = n.toString(16);
      if (h.length % 2) h = `0${h}`;
      if (parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`;
      return Buffer.concat([Buffer.from([0x02, h.length / 2]), Buffer.from(h, 'hex')]);
    };
    const body = Buffer.concat([enc(sig.r), enc(N - sig.s)]);
    const forged = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    const negated = Buffer.from((N - BigInt(`0x${digest.toString('hex')}`)).toString(16).padStart(64, '0'), 'hex');
    expect(fast.verify(negated, forged)).toBe(false);
    expect(verifyDigest(key, negated, forged)).toBe(false);
    expect(noble(negated, forged)).toBe(false);
  });

  it('answers random bytes with false or undefined, never throwing; verifyDigest with a boolean', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), (digest, signature) => {
        expect([false, undefined]).toContain(fast.verify(digest, signature));
        expect(verifyDigest(key, digest, signature)).toBe(noble(digest, signature));
      }),
    );
  });
});

describe('modInverse', () => {
  it('inverts modulo the group order and the field prime exactly (Lehmer steps)', () => {
    for (const m of [N, P]) {
      const edges = [1n, 2n, 3n, m - 1n, m - 2n, (m - 1n) / 2n, 1n << 52n, (1n << 53n) + 1n, 1n << 200n, m >> 1n, m >> 100n];
      for (const a of edges) expect((a * modInverse(a, m)) % m).toBe(1n);
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: m - 1n }), (a) => {
          const x = modInverse(a, m);
          expect(x >= 0n && x < m).toBe(true);
          expect((a * x) % m).toBe(1n);
        }),
        { numRuns: 2000 },
      );
    }
    expect(() => modInverse(0n, N)).toThrow(RangeError);
  });
});
