import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CryptoError } from './errors.js';

/** The key types Sigstore uses (protobuf-specs PublicKeyDetails), nothing else. */
export type KeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'rsa';

/** A validated public key. Only this library creates them (import, generate, derive). */
export interface PublicKey {
  readonly kind: 'public';
  readonly type: KeyType;
  /** Curve size, or the RSA modulus length. */
  readonly bits: number;
  /** The node:crypto key, for callers that hand it to other Node APIs. */
  readonly keyObject: KeyObject;
}

/** A validated private key, with its public half. */
export interface PrivateKey {
  readonly kind: 'private';
  readonly type: KeyType;
  readonly bits: number;
  readonly keyObject: KeyObject;
  readonly publicKey: PublicKey;
}

export interface KeyPair {
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
}

export const MIN_RSA_BITS = 2048;
// Far above what Sigstore uses (<= 4096); a cap keeps hostile keys from burning CPU.
export const MAX_RSA_BITS = 16384;

// Keys are accepted as arguments only if this library issued them, so a hand-made
// object literal can never pair a type with a key it does not describe.
const issued = new WeakSet<object>();

function classify(keyObject: KeyObject): { type: KeyType; bits: number } {
  const details = keyObject.asymmetricKeyDetails ?? {};
  switch (keyObject.asymmetricKeyType) {
    case 'ec':
      if (details.namedCurve === 'prime256v1') return { type: 'ecdsa-p256', bits: 256 };
      if (details.namedCurve === 'secp384r1') return { type: 'ecdsa-p384', bits: 384 };
      throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported elliptic curve');
    case 'ed25519':
      return { type: 'ed25519', bits: 256 };
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      const e = details.publicExponent ?? 0n;
      if (bits < MIN_RSA_BITS) throw new CryptoError('WEAK_KEY', `RSA key of ${bits} bits is below ${MIN_RSA_BITS}`);
      if (bits > MAX_RSA_BITS) throw new CryptoError('UNSUPPORTED_KEY_SIZE', `RSA key of ${bits} bits is too large`);
      if (e < 3n || e % 2n === 0n) throw new CryptoError('WEAK_KEY', 'RSA public exponent is degenerate');
      return { type: 'rsa', bits };
    }
    default:
      // Includes 'rsa-pss' SPKI keys, P-521, secp256k1, Ed448, X25519, DSA, DH.
      throw new CryptoError('UNSUPPORTED_ALGORITHM', 'unsupported key type');
  }
}

export function wrapPublicKey(keyObject: KeyObject, known?: { type: KeyType; bits: number }): PublicKey {
  if (keyObject.type !== 'public') throw new CryptoError('INVALID_KEY', 'not a public key');
  // `known`: the caller built the key for this curve itself (key-import's EC fast path).
  const { type, bits } = known ?? classify(keyObject);
  const key: PublicKey = Object.freeze({ kind: 'public', type, bits, keyObject });
  issued.add(key);
  return key;
}

export function wrapPrivateKey(keyObject: KeyObject): PrivateKey {
  if (keyObject.type !== 'private') throw new CryptoError('INVALID_KEY', 'not a private key');
  const { type, bits } = classify(keyObject);
  const publicKey = wrapPublicKey(createPublicKey(keyObject));
  const key: PrivateKey = Object.freeze({ kind: 'private', type, bits, keyObject, publicKey });
  issued.add(key);
  return key;
}

export function assertPublicKey(key: unknown): asserts key is PublicKey {
  if (typeof key !== 'object' || key === null || !issued.has(key) || (key as PublicKey).kind !== 'public') {
    throw new CryptoError('INVALID_ARGUMENT', 'expected a PublicKey from @sigstack/crypto');
  }
}

export function assertPrivateKey(key: unknown): asserts key is PrivateKey {
  if (typeof key !== 'object' || key === null || !issued.has(key) || (key as PrivateKey).kind !== 'private') {
    throw new CryptoError('INVALID_ARGUMENT', 'expected a PrivateKey from @sigstack/crypto');
  }
}
