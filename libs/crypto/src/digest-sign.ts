import { constants, privateEncrypt, publicDecrypt } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { CryptoError } from './errors.js';
import { bytesEqual, decodeBase64UrlStrict, isBytes, toBytes } from './encoding.js';
import { hashLength } from './hash.js';
import { nativeEcdsa } from './native-ecdsa.js';
import { P256DigestVerifier } from './p256-digest.js';
import type { HashAlgorithm } from './hash.js';
import { assertPrivateKey, assertPublicKey } from './keys.js';
import type { PrivateKey, PublicKey } from './keys.js';
import { resolveScheme } from './signature-scheme.js';
import type { SignatureOptions } from './signature-scheme.js';

// node:crypto always hashes the message itself, so signing or verifying a digest we
// were handed (hashedrekord's `sha256:<hex>`) needs other tools: for ECDSA verification
// OpenSSL's ECDSA_verify through our native module (native-ecdsa.ts; without it, P-256
// through ECDH in p256-digest.ts), else @noble/curves (prehash: false), and the raw RSA
// primitive with a DigestInfo for PKCS#1 v1.5.

/** DER DigestInfo prefixes of RFC 8017 section 9.2, note 1. */
const DIGEST_INFO: Readonly<Record<HashAlgorithm, Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/**
 * Signs a precomputed digest. ECDSA (DER signature) and RSA PKCS#1 v1.5 only:
 * Ed25519 is pure and RSA-PSS over a digest is not offered by the platform.
 */
export function signDigest(key: PrivateKey, digest: Uint8Array, options?: SignatureOptions): Uint8Array {
  assertPrivateKey(key);
  const hash = digestScheme(key.type, digest, options);
  if (key.type === 'rsa') {
    try {
      const info = Buffer.concat([DIGEST_INFO[hash], digest]);
      return toBytes(privateEncrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }, info));
    } catch (cause) {
      throw new CryptoError('SIGNING_FAILED', 'signing failed', { cause });
    }
  }
  const curve = key.type === 'ecdsa-p256' ? p256 : p384;
  const jwk = key.keyObject.export({ format: 'jwk' });
  const secret = decodeBase64UrlStrict(jwk.d ?? '', 'INVALID_KEY', 'private scalar');
  // No cause attached: a library error could echo the scalar.
  try {
    return toBytes(curve.sign(digest, secret, { prehash: false, format: 'der' }));
  } catch {
    throw new CryptoError('SIGNING_FAILED', 'signing failed');
  } finally {
    secret.fill(0);
  }
}

/**
 * Verifies a signature over a precomputed digest. Returns false for a wrong or
 * malformed signature. High-S ECDSA signatures are valid (Go and OpenSSL make them).
 */
export function verifyDigest(key: PublicKey, digest: Uint8Array, signature: Uint8Array, options?: SignatureOptions): boolean {
  assertPublicKey(key);
  if (!isBytes(signature)) throw new CryptoError('INVALID_ARGUMENT', 'signature must be bytes');
  const hash = digestScheme(key.type, digest, options);
  if (key.type === 'rsa') {
    // RSA signatures are exactly the modulus length (Go and OpenSSL insist too).
    if (signature.length !== Math.ceil(key.bits / 8)) return false;
    try {
      const recovered = publicDecrypt({ key: key.keyObject, padding: constants.RSA_PKCS1_PADDING }, signature);
      return bytesEqual(recovered, Buffer.concat([DIGEST_INFO[hash], digest]));
    } catch {
      return false;
    }
  }
  if (key.type === 'ecdsa-p256') {
    // Native speed; the rare inputs it does not decide go to the reference code below.
    let fast = p256Verifiers.get(key);
    if (fast === undefined) p256Verifiers.set(key, (fast = new P256DigestVerifier(key.keyObject)));
    const answer = fast.verify(digest, signature);
    if (answer !== undefined) return answer;
  }
  const curve = key.type === 'ecdsa-p256' ? p256 : p384;
  const jwk = key.keyObject.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    decodeBase64UrlStrict(jwk.x ?? '', 'INVALID_KEY', 'x'),
    decodeBase64UrlStrict(jwk.y ?? '', 'INVALID_KEY', 'y'),
  ]);
  // P-384 (P-256 has its verifier above): OpenSSL's DER is as strict as noble's.
  if (key.type === 'ecdsa-p384' && nativeEcdsa) return nativeEcdsa.verify(point, digest, signature);
  try {
    return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}

// One prepared verifier per P-256 key object (keys are frozen and immutable).
const p256Verifiers = new WeakMap<PublicKey, P256DigestVerifier>();

/** The hash the digest claims to come from, checked against the key and the digest length. */
function digestScheme(type: PrivateKey['type'], digest: unknown, options: SignatureOptions | undefined): HashAlgorithm {
  if (!isBytes(digest)) throw new CryptoError('INVALID_ARGUMENT', 'digest must be bytes');
  const scheme = resolveScheme(type, options);
  if (scheme.hash === null) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'Ed25519 cannot sign or verify a precomputed digest');
  if (scheme.padding === constants.RSA_PKCS1_PSS_PADDING) {
    throw new CryptoError('UNSUPPORTED_ALGORITHM', 'RSA-PSS over a precomputed digest is not supported');
  }
  if (digest.length !== hashLength(scheme.hash)) throw new CryptoError('INVALID_DIGEST', `digest is not a ${scheme.hash} digest`);
  return scheme.hash;
}
