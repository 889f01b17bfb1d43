import { constants } from 'node:crypto';
import { CryptoError } from './errors.js';
import { assertHashAlgorithm } from './hash.js';
import type { HashAlgorithm } from './hash.js';
import type { KeyType } from './keys.js';

/** RSA signature padding: PKCS#1 v1.5 (the default) or PSS. */
export type RsaPadding = 'pkcs1v15' | 'pss';

export interface SignatureOptions {
  /**
   * The hash. Fixed by the key for ECDSA (P-256: sha256, P-384: sha384) and absent
   * for Ed25519 (pure EdDSA); for RSA one of sha256/sha384/sha512, default sha256.
   */
  readonly hash?: HashAlgorithm;
  /** RSA only. */
  readonly rsaPadding?: RsaPadding;
}

export interface Scheme {
  /** null for Ed25519, which hashes internally. */
  readonly hash: HashAlgorithm | null;
  readonly padding?: number;
}

const EC_HASH: Readonly<Partial<Record<KeyType, HashAlgorithm>>> = { 'ecdsa-p256': 'sha256', 'ecdsa-p384': 'sha384' };

/** The one place that decides hash and padding per key type; anything else fails closed. */
export function resolveScheme(type: KeyType, options: SignatureOptions = {}): Scheme {
  if (typeof options !== 'object' || options === null) throw new CryptoError('INVALID_ARGUMENT', 'options must be an object');
  const { hash, rsaPadding } = options;
  if (type === 'rsa') {
    const chosen = hash ?? 'sha256';
    assertHashAlgorithm(chosen);
    if (rsaPadding === undefined || rsaPadding === 'pkcs1v15') return { hash: chosen, padding: constants.RSA_PKCS1_PADDING };
    if (rsaPadding === 'pss') return { hash: chosen, padding: constants.RSA_PKCS1_PSS_PADDING };
    throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported RSA padding');
  }
  if (rsaPadding !== undefined) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'RSA padding given for a non-RSA key');
  if (type === 'ed25519') {
    if (hash !== undefined) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'Ed25519 signs messages, not a chosen hash');
    return { hash: null };
  }
  const fixed = EC_HASH[type];
  if (fixed === undefined) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported key type');
  if (hash !== undefined && hash !== fixed) throw new CryptoError('UNSUPPORTED_ALGORITHM', `this key signs with ${fixed} only`);
  return { hash: fixed };
}
