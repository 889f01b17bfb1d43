import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  X509Error,
  decodeDigitallySigned,
  decodeMerkleTreeLeaf,
  decodeSct,
  decodeSctList,
  decodeSctListExtension,
  decodeSigstoreExtensions,
  encodeMerkleTreeLeaf,
  encodeSct,
  encodeSctList,
  parseCertificate,
  parseCertificates,
  splitCertificate,
} from '../src/index.js';
import type { SignedCertificateTimestamp } from '../src/index.js';
import { bundleLeaf } from './helpers.js';

/** Runs `fn`; anything thrown must be an X509Error. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof X509Error)) throw error;
  }
}

const leaf = bundleLeaf('bundle-with-sct-with-extensions')!;
const sctList = parseCertificate(leaf).embeddedScts!;
const sctBytes = encodeSct(sctList[0]!);
const listBytes = encodeSctList(sctList);

/** A real input with a few bytes flipped, cut, or inserted. */
function mutated(base: Uint8Array) {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
      const out = new Uint8Array(base);
      for (const [i, x] of flips) out[i] = (out[i] as number) ^ x;
      return out;
    }),
    fc.nat({ max: base.length }).map((n) => base.subarray(0, n)),
    fc.tuple(fc.nat({ max: base.length }), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, extra]) => new Uint8Array(Buffer.concat([base.subarray(0, at), extra, base.subarray(at)]))),
  );
}

const runs = { numRuns: 300 };

describe('parsers only ever throw X509Error', () => {
  it('certificates: random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyTypedErrors(() => parseCertificate(bytes))), runs);
  });

  it('certificates: mutated real DER (parse and split)', () => {
    fc.assert(
      fc.property(mutated(leaf), (bytes) => {
        onlyTypedErrors(() => parseCertificate(bytes));
        onlyTypedErrors(() => splitCertificate(bytes));
      }),
      runs,
    );
  });

  it('certificates: PEM text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => onlyTypedErrors(() => parseCertificates(`-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----\n`))), runs);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => onlyTypedErrors(() => parseCertificate(text))), runs);
  });

  it('SCTs and SCT lists: random and mutated', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated(sctBytes), mutated(listBytes)), (bytes) => {
        onlyTypedErrors(() => decodeSct(bytes));
        onlyTypedErrors(() => decodeSctList(bytes));
        onlyTypedErrors(() => decodeSctListExtension(bytes));
        onlyTypedErrors(() => decodeDigitallySigned(bytes));
        onlyTypedErrors(() => decodeMerkleTreeLeaf(bytes));
      }),
      runs,
    );
  });

  it('Sigstore extensions: random values under every OID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 23 }), fc.uint8Array({ maxLength: 64 }), (arc, value) =>
        onlyTypedErrors(() => decodeSigstoreExtensions([{ oid: `1.3.6.1.4.1.57264.1.${arc}`, value }])),
      ),
      runs,
    );
  });
});

describe('round trips', () => {
  const sct = fc.record({
    version: fc.constant(0 as const),
    logId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    timestamp: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    extensions: fc.uint8Array({ maxLength: 40 }),
    signature: fc.record({ hashAlgorithm: fc.nat({ max: 255 }), signatureAlgorithm: fc.nat({ max: 255 }), signature: fc.uint8Array({ maxLength: 80 }) }),
  });

  it('SCT and SCT list', () => {
    fc.assert(
      fc.property(fc.array(sct, { minLength: 1, maxLength: 4 }), (scts: SignedCertificateTimestamp[]) => {
        expect(decodeSct(encodeSct(scts[0]!))).toEqual(scts[0]);
        expect(decodeSctList(encodeSctList(scts))).toEqual(scts);
      }),
      { numRuns: 100 },
    );
  });

  it('MerkleTreeLeaf', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 8 }), fc.boolean(), (timestamp, body, extensions, pre) => {
        const entry = pre
          ? { type: 'precert_entry' as const, issuerKeyHash: new Uint8Array(32).fill(3), tbsCertificate: body }
          : { type: 'x509_entry' as const, certificate: body };
        expect(decodeMerkleTreeLeaf(encodeMerkleTreeLeaf({ timestamp, entry, extensions }))).toEqual({ timestamp, entry, extensions });
      }),
      { numRuns: 100 },
    );
  });
});
