import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { importPublicKey, verifyDigest } from '@sigstack/crypto';
import { describe, expect, it } from 'vitest';
import { P256DigestVerifier, inverse, parseDerSignature } from '../src/crypto/p256-digest.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const reference = importPublicKey(publicKey.export({ type: 'spki', format: 'der' }));
const fast = new P256DigestVerifier(publicKey);

describe('native-speed P-256 digest verification', () => {
  it('accepts every valid signature and agrees with the reference on tampered ones', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.nat(31), fc.integer({ min: 1, max: 255 }), (message, at, flip) => {
        const digest = createHash('sha256').update(message).digest();
        const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
        expect(fast.verify(digest, signature)).toBe(true);
        const tampered = Buffer.from(digest);
        tampered[at] = (tampered[at] ?? 0) ^ flip;
        const answer = fast.verify(tampered, signature);
        expect(answer ?? verifyDigest(reference, tampered, signature)).toBe(verifyDigest(reference, tampered, signature));
        const badSig = Buffer.from(signature);
        badSig[badSig.length - 1 - (at % 8)] = (badSig[badSig.length - 1 - (at % 8)] ?? 0) ^ flip;
        const sigAnswer = fast.verify(digest, badSig);
        expect(sigAnswer ?? verifyDigest(reference, digest, badSig)).toBe(verifyDigest(reference, digest, badSig));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses the (r, -s) digest-negation forgery that an x-only check would accept', () => {
    const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const message = Buffer.from('hello');
    const digest = createHash('sha256').update(message).digest();
    const sig = parseDerSignature(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }))!;
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
    expect(verifyDigest(reference, negated, forged)).toBe(false);
  });

  it('inverts modulo the group order and the field prime exactly (Lehmer steps)', () => {
    const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
    for (const m of [N, P]) {
      const edges = [1n, 2n, 3n, m - 1n, m - 2n, (m - 1n) / 2n, 1n << 52n, (1n << 53n) + 1n, 1n << 200n, m >> 1n, m >> 100n];
      for (const a of edges) expect((a * inverse(a, m)) % m).toBe(1n);
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: m - 1n }), (a) => {
          const x = inverse(a, m);
          expect(x >= 0n && x < m).toBe(true);
          expect((a * x) % m).toBe(1n);
        }),
        { numRuns: 2000 },
      );
    }
    expect(() => inverse(0n, N)).toThrow(RangeError);
  });

  it('answers random bytes with false or undefined, never throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), (digest, signature) => {
        expect([false, undefined]).toContain(fast.verify(digest, signature));
      }),
    );
  });
});
