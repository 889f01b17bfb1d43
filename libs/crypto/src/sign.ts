import { constants, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { SignKeyObjectInput, VerifyKeyObjectInput } from 'node:crypto';
import { CryptoError } from './errors.js';
import { isBytes, toBytes } from './encoding.js';
import { assertPrivateKey, assertPublicKey } from './keys.js';
import type { PrivateKey, PublicKey } from './keys.js';
import { resolveScheme } from './signature-scheme.js';
import type { Scheme, SignatureOptions } from './signature-scheme.js';

/**
 * Signs a message. ECDSA signatures are ASN.1 DER (as Sigstore and cosign carry
 * them), Ed25519 is pure EdDSA, RSA-PSS uses a salt as long as the hash.
 */
export function sign(key: PrivateKey, data: Uint8Array, options?: SignatureOptions): Uint8Array {
  assertPrivateKey(key);
  if (!isBytes(data)) throw new CryptoError('INVALID_ARGUMENT', 'data must be bytes');
  const scheme = resolveScheme(key.type, options);
  const input: SignKeyObjectInput = { key: key.keyObject, dsaEncoding: 'der' };
  addPadding(input, scheme, constants.RSA_PSS_SALTLEN_DIGEST);
  try {
    return toBytes(nodeSign(scheme.hash, data, input));
  } catch (cause) {
    throw new CryptoError('SIGNING_FAILED', 'signing failed', { cause });
  }
}

/**
 * Verifies a signature over a message. Returns false for a wrong or malformed
 * signature; throws only for unusable arguments (unsupported options, not a key).
 * RSA-PSS accepts any salt length, as Go's verifier (PSSSaltLengthAuto) does.
 */
export function verify(key: PublicKey, data: Uint8Array, signature: Uint8Array, options?: SignatureOptions): boolean {
  assertPublicKey(key);
  if (!isBytes(data) || !isBytes(signature)) throw new CryptoError('INVALID_ARGUMENT', 'data and signature must be bytes');
  const scheme = resolveScheme(key.type, options);
  const input: VerifyKeyObjectInput = { key: key.keyObject, dsaEncoding: 'der' };
  addPadding(input, scheme, constants.RSA_PSS_SALTLEN_AUTO);
  try {
    return nodeVerify(scheme.hash, data, input, signature);
  } catch {
    // OpenSSL throws on some malformed signatures instead of returning false.
    return false;
  }
}

function addPadding(input: SignKeyObjectInput | VerifyKeyObjectInput, scheme: Scheme, pssSaltLength: number): void {
  if (scheme.padding === undefined) return;
  input.padding = scheme.padding;
  if (scheme.padding === constants.RSA_PKCS1_PSS_PADDING) input.saltLength = pssSaltLength;
}
