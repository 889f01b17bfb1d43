import { encodeBase64, encodeHex } from '../encoding.js';
import type { Fields } from '../json.js';
import { canonicalJsonBytes, checkDigestLength, type RekorHashAlgorithm } from './common.js';

/** A Rekor v1 hashedrekord 0.0.1 entry, decoded. */
export interface HashedRekordV001 {
  kind: 'hashedrekord';
  apiVersion: '0.0.1';
  algorithm: RekorHashAlgorithm;
  digest: Buffer;
  signature: Buffer;
  /** PEM text (bytes) of the public key or certificate, as Rekor stores it. */
  publicKey: Buffer;
}

export function readHashedRekordV001(f: Fields): HashedRekordV001 {
  f.only(['apiVersion', 'kind', 'spec']);
  const spec = f.object('spec').only(['data', 'signature']);
  const hash = spec.object('data').only(['hash']).object('hash').only(['algorithm', 'value']);
  const sig = spec.object('signature').only(['content', 'publicKey']);
  const algorithm = hash.oneOf('algorithm', ['sha256', 'sha384', 'sha512'] as const);
  return {
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    algorithm,
    digest: checkDigestLength(algorithm, hash.hex('value'), hash.at('value')),
    signature: sig.base64('content'),
    publicKey: sig.object('publicKey').only(['content']).base64('content'),
  };
}

/** Canonical body bytes of a hashedrekord 0.0.1 entry (request and stored form are the same). */
export function buildHashedRekordV001(input: {
  algorithm: RekorHashAlgorithm;
  digest: Uint8Array;
  signature: Uint8Array;
  /** PEM public key or certificate; Rekor stores its bytes base64-encoded. */
  publicKey: string | Uint8Array;
}): Uint8Array {
  const pem = typeof input.publicKey === 'string' ? Buffer.from(input.publicKey, 'utf8') : input.publicKey;
  return canonicalJsonBytes({
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: input.algorithm, value: encodeHex(input.digest) } },
      signature: { content: encodeBase64(input.signature), publicKey: { content: encodeBase64(pem) } },
    },
  });
}
