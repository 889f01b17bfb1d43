import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { p256, p384 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyDigest } from './digest-sign.js';
import { importPublicKey } from './key-import.js';
import { nativeEcdsa, type NativeEcdsa } from './native-ecdsa.js';

// CI builds the module (SIGSTACK_NATIVE=required); a developer machine without a C compiler
// runs the pure-Node routes only, which p256-digest.test.ts and digest-sign tests cover.
const mustBeBuilt = process.env['CI'] === 'true' || process.env['SIGSTACK_NATIVE'] === 'required';

it('is built and loaded where CI requires it', () => {
  expect(nativeEcdsa !== undefined || !mustBeBuilt).toBe(true);
});

const curves = [
  { name: 'P-256', namedCurve: 'P-256', hash: 'sha256', noble: p256 },
  { name: 'P-384', namedCurve: 'P-384', hash: 'sha384', noble: p384 },
] as const;

describe.each(nativeEcdsa ? curves : [])('native ECDSA over a digest, $name', ({ namedCurve, hash, noble }) => {
  const native = nativeEcdsa as NativeEcdsa;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const point = spki.subarray(spki.length - (namedCurve === 'P-256' ? 65 : 97));
  const key = importPublicKey(spki);
  /** The independent reference: @noble/curves over the digest, high-S allowed. */
  const reference = (digest: Uint8Array, signature: Uint8Array): boolean => {
    try {
      return noble.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
    } catch {
      return false;
    }
  };

  it('accepts valid signatures and agrees with @noble/curves on tampered digests and signatures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(200), fc.integer({ min: 1, max: 255 }), (message, at, flip) => {
        const digest = createHash(hash).update(message).digest();
        const signature = sign(hash, message, { key: privateKey, dsaEncoding: 'der' });
        expect(native.verify(point, digest, signature)).toBe(true);
        expect(verifyDigest(key, digest, signature)).toBe(true);
        const tampered = Buffer.from(digest);
        tampered[at % digest.length] = (tampered[at % digest.length] ?? 0) ^ flip;
        expect(native.verify(point, tampered, signature)).toBe(reference(tampered, signature));
        const badSig = Buffer.from(signature);
        badSig[at % badSig.length] = (badSig[at % badSig.length] ?? 0) ^ flip;
        expect(native.verify(point, digest, badSig)).toBe(reference(digest, badSig));
        expect(verifyDigest(key, digest, badSig)).toBe(reference(digest, badSig));
      }),
      // @noble/curves takes ~5 ms per P-384 check.
      { numRuns: namedCurve === 'P-256' ? 300 : 80 },
    );
  });

  it('accepts high-S signatures (Go and OpenSSL make them) and refuses non-DER encodings of a valid one', () => {
    const digest = createHash(hash).update('high s').digest();
    const sig = noble.Signature.fromBytes(sign(hash, Buffer.from('high s'), { key: privateKey, dsaEncoding: 'der' }), 'der');
    const high = sig.s > noble.Point.Fn.ORDER / 2n ? sig : new noble.Signature(sig.r, noble.Point.Fn.ORDER - sig.s);
    expect(native.verify(point, digest, high.toBytes('der'))).toBe(true);
    const der = Buffer.from(high.toBytes('der'));
    expect(native.verify(point, digest, Buffer.concat([der, Buffer.from([0])]))).toBe(false); // trailing byte
    expect(native.verify(point, digest, high.toBytes('compact'))).toBe(false); // raw r||s
    // Long-form length where the short form fits: not DER.
    const body = der.subarray(2);
    expect(native.verify(point, digest, Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]))).toBe(false);
  });

  it('answers arbitrary bytes as @noble/curves does, never throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.uint8Array({ maxLength: 110 }), (digest, signature) => {
        expect(native.verify(point, digest, signature)).toBe(reference(digest, signature));
      }),
    );
  });

  it('throws TypeError for a point off the curve, a compressed point, or arguments that are not bytes', () => {
    const off = Uint8Array.from(point);
    off[off.length - 1] = (off[off.length - 1] ?? 0) ^ 1;
    const digest = createHash(hash).update('x').digest();
    const signature = sign(hash, Buffer.from('x'), { key: privateKey, dsaEncoding: 'der' });
    expect(() => native.verify(off, digest, signature)).toThrow(TypeError);
    expect(() => native.verify(point.subarray(0, 33), digest, signature)).toThrow(TypeError);
    expect(() => native.verify(new Uint8Array(point.length), digest, signature)).toThrow(TypeError);
    expect(() => (native.verify as (...args: unknown[]) => boolean)(point, 'digest', signature)).toThrow(TypeError);
    expect(() => (native.verify as (...args: unknown[]) => boolean)(point, digest)).toThrow(TypeError);
  });
});

describe.each(nativeEcdsa ? [0] : [])('native ECDSA in worker threads', () => {
  it('loads and verifies in several threads at once (the module is context-aware)', async () => {
    const module = fileURLToPath(new URL('../native/build/Release/ecdsa_digest.node', import.meta.url));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const point = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })).subarray(-65);
    const digest = createHash('sha256').update('w').digest();
    const signature = sign('sha256', Buffer.from('w'), { key: privateKey, dsaEncoding: 'der' });
    const source = `const { workerData, parentPort } = require('node:worker_threads');
      const { verify } = require(workerData.module);
      let ok = 0;
      for (let i = 0; i < 200; i++) if (verify(workerData.point, workerData.digest, workerData.signature)) ok++;
      parentPort.postMessage(ok);`;
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => {
        const worker = new Worker(source, { eval: true, workerData: { module, point, digest, signature } });
        return new Promise<unknown>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }).finally(() => worker.terminate());
      }),
    );
    expect(answers).toEqual([200, 200, 200]);
  });
});
