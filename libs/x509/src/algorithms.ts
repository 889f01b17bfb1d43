import { X509Error } from './errors.js';
import { TAG, children, contents, decodeOid, readSingle } from './der.js';

/** Certificate signature algorithms this library verifies (the ones Sigstore CAs use). */
export type SignatureAlgorithmName =
  | 'ecdsa-sha256'
  | 'ecdsa-sha384'
  | 'ecdsa-sha512'
  | 'rsa-pkcs1-sha256'
  | 'rsa-pkcs1-sha384'
  | 'rsa-pkcs1-sha512'
  | 'ed25519';

export interface SignatureScheme {
  readonly name: SignatureAlgorithmName;
  /** null for Ed25519. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** The key family that may carry it (node's asymmetricKeyType). */
  readonly keyType: 'ec' | 'rsa' | 'ed25519';
}

const SCHEMES: Readonly<Record<string, SignatureScheme & { params: 'absent' | 'null' }>> = {
  '1.2.840.10045.4.3.2': { name: 'ecdsa-sha256', hash: 'sha256', keyType: 'ec', params: 'absent' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-sha384', hash: 'sha384', keyType: 'ec', params: 'absent' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-sha512', hash: 'sha512', keyType: 'ec', params: 'absent' },
  '1.2.840.113549.1.1.11': { name: 'rsa-pkcs1-sha256', hash: 'sha256', keyType: 'rsa', params: 'null' },
  '1.2.840.113549.1.1.12': { name: 'rsa-pkcs1-sha384', hash: 'sha384', keyType: 'rsa', params: 'null' },
  '1.2.840.113549.1.1.13': { name: 'rsa-pkcs1-sha512', hash: 'sha512', keyType: 'rsa', params: 'null' },
  '1.3.101.112': { name: 'ed25519', hash: null, keyType: 'ed25519', params: 'absent' },
};

const cache = new Map<string, SignatureScheme>();

/** The scheme of a DER AlgorithmIdentifier; UNSUPPORTED_ALGORITHM for anything else. */
export function signatureScheme(algorithmIdentifier: Uint8Array): SignatureScheme {
  const key = Buffer.from(algorithmIdentifier.buffer, algorithmIdentifier.byteOffset, algorithmIdentifier.byteLength).toString('latin1');
  const hit = cache.get(key);
  if (hit) return hit;
  const seq = readSingle(algorithmIdentifier, TAG.SEQUENCE, 'MALFORMED_CERTIFICATE');
  const parts = children(algorithmIdentifier, seq, 'MALFORMED_CERTIFICATE');
  const [oidTlv, params] = parts;
  if (!oidTlv || oidTlv.tag !== TAG.OID || parts.length > 2) throw new X509Error('MALFORMED_CERTIFICATE', 'malformed AlgorithmIdentifier');
  const oid = decodeOid(contents(algorithmIdentifier, oidTlv), 'MALFORMED_CERTIFICATE');
  const scheme = SCHEMES[oid];
  if (!scheme) throw new X509Error('UNSUPPORTED_ALGORITHM', `unsupported signature algorithm ${oid}`);
  const paramsOk = scheme.params === 'absent' ? params === undefined : params?.tag === 0x05 && params.end - params.valueStart === 0;
  if (!paramsOk) throw new X509Error('MALFORMED_CERTIFICATE', `wrong parameters for ${scheme.name}`);
  const out: SignatureScheme = Object.freeze({ name: scheme.name, hash: scheme.hash, keyType: scheme.keyType });
  if (cache.size < 64) cache.set(key, out);
  return out;
}
