import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { HashAlgorithm } from '@sigstack/crypto';

// CMS and X.509 signature algorithm OIDs this verifier accepts; anything else fails closed.
// The hash of the "bare key" OIDs (id-ecPublicKey, rsaEncryption) comes from the signer's
// digest algorithm, as RFC 5652 allows and some TSAs write.
const SCHEMES: Readonly<Record<string, HashAlgorithm | 'digest' | null>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10045.2.1': 'digest',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.1': 'digest',
  '1.3.101.112': null,
};

/** Imports a DER SubjectPublicKeyInfo; undefined when it is not a key node:crypto reads. */
export function spkiKey(spki: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** Verifies a CMS/X.509-style signature; false for anything wrong or unsupported, never throws. */
export function verifyWithOid(oid: string, digestAlgorithm: HashAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (!Object.hasOwn(SCHEMES, oid)) return false;
  const scheme = SCHEMES[oid];
  if (scheme === undefined) return false;
  const hash = scheme === 'digest' ? digestAlgorithm : scheme;
  const type = key.asymmetricKeyType;
  const isEc = oid.startsWith('1.2.840.10045.');
  if ((isEc && type !== 'ec') || (oid.startsWith('1.2.840.113549.') && type !== 'rsa') || (scheme === null && type !== 'ed25519')) return false;
  try {
    return nodeVerify(hash, data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
