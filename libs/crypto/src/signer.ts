import { assertPrivateKey } from './keys.js';
import type { PrivateKey, PublicKey } from './keys.js';
import { resolveScheme } from './signature-scheme.js';
import type { SignatureOptions } from './signature-scheme.js';
import { sign } from './sign.js';

/**
 * What a signature is, named the way a certificate or CMS structure states it: ECDSA
 * with its hash (ASN.1 DER signatures), pure Ed25519, or RSA with padding and hash.
 * `ecdsa-sha512` is never produced by keySigner (the curve fixes the hash) but a
 * remote signer (KMS, HSM) may use it.
 */
export type SignerAlgorithm =
  | 'ecdsa-sha256'
  | 'ecdsa-sha384'
  | 'ecdsa-sha512'
  | 'ed25519'
  | 'rsa-pkcs1v15-sha256'
  | 'rsa-pkcs1v15-sha384'
  | 'rsa-pkcs1v15-sha512'
  | 'rsa-pss-sha256'
  | 'rsa-pss-sha384'
  | 'rsa-pss-sha512';

/**
 * A key that signs, behind one method, so that CAs and timestamp authorities work the
 * same over a key in this process, a cloud KMS or an HSM. `sign` gets the exact bytes
 * to sign (a TBSCertificate, CMS signed attributes), hashes them as `algorithm` says
 * and returns the signature (ASN.1 DER for ECDSA).
 */
export interface Signer<A extends SignerAlgorithm = SignerAlgorithm> {
  readonly algorithm: A;
  /** The public half, matched against the signer's certificate at start-up. */
  readonly publicKey: PublicKey;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * A Signer over a key held in this process. ECDSA uses the curve's hash, RSA the
 * hash and padding in `options` (default PKCS#1 v1.5 with SHA-256).
 */
export function keySigner(key: PrivateKey, options: SignatureOptions = {}): Signer {
  assertPrivateKey(key);
  const scheme = resolveScheme(key.type, options);
  let algorithm: SignerAlgorithm;
  if (key.type === 'ed25519') algorithm = 'ed25519';
  else if (key.type === 'rsa') algorithm = `rsa-${options.rsaPadding ?? 'pkcs1v15'}-${scheme.hash ?? 'sha256'}` as SignerAlgorithm;
  else algorithm = `ecdsa-${scheme.hash ?? 'sha256'}` as SignerAlgorithm;
  const frozen = { ...options };
  return Object.freeze({
    algorithm,
    publicKey: key.publicKey,
    // node:crypto signs synchronously; the promise is the interface's, for remote signers.
    sign: async (data: Uint8Array) => sign(key, data, frozen),
  });
}
